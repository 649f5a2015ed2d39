module palette-native-go

go 1.22

require github.com/pulumi/pulumi/sdk/v3 v3.200.0

// `pulumi package add` adds the generated SDK and its replace directive here (see ../README.md).
