// The native provider palette from Go: the same program as the TypeScript, Python, C# and YAML
// examples beside it (README.md there has the commands).
//
//   - ci: a key for the caller, through the default provider (the stack's palette: config).
//   - tenant-b: an explicit provider with its own host and key; ci-b is made in that tenant.
//   - GetUser: a user found by email.
package main

import (
	"github.com/pulumi-palette-apikeys/pulumi-palette/sdk/go/palette"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		cfg := config.New(ctx, "")

		ci, err := palette.NewApiKey(ctx, "ci", &palette.ApiKeyArgs{
			Description: pulumi.String("CI pipeline"),
			ExpiresIn:   pulumi.String("90d"),
		})
		if err != nil {
			return err
		}

		tenantB, err := palette.NewProvider(ctx, "tenant-b", &palette.ProviderArgs{
			Host:   pulumi.String(cfg.Require("tenantBHost")),
			ApiKey: cfg.RequireSecret("tenantBApiKey"),
		})
		if err != nil {
			return err
		}
		ciB, err := palette.NewApiKey(ctx, "ci-b", &palette.ApiKeyArgs{
			Description: pulumi.String("CI pipeline of tenant B"),
			ExpiresIn:   pulumi.String("90d"),
		}, pulumi.Provider(tenantB))
		if err != nil {
			return err
		}

		alice, err := palette.GetUser(ctx, &palette.GetUserArgs{Email: cfg.Require("aliceEmail")})
		if err != nil {
			return err
		}

		ctx.Export("ciKey", ci.Key) // a secret
		ctx.Export("ciKeyName", ci.Name)
		ctx.Export("ciBKey", ciB.Key) // a secret
		ctx.Export("ciBTenant", ciB.TenantUid)
		ctx.Export("aliceUid", pulumi.String(alice.Uid))
		return nil
	})
}
