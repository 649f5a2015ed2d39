// The native provider palette from C#: the same program as the TypeScript, Python, Go and YAML
// examples beside it (README.md there has the commands).
//
// - ci: a key for the caller, through the default provider (the stack's palette: config).
// - tenant-b: an explicit provider with its own host and key; ci-b is made in that tenant.
// - GetUser: a user found by email.
using System.Collections.Generic;
using Pulumi;
using Palette = PulumiPalette.Palette;

return await Deployment.RunAsync(() =>
{
    var config = new Config();

    var ci = new Palette.ApiKey("ci", new Palette.ApiKeyArgs
    {
        Description = "CI pipeline",
        ExpiresIn = "90d",
    });

    var tenantB = new Palette.Provider("tenant-b", new Palette.ProviderArgs
    {
        Host = config.Require("tenantBHost"),
        ApiKey = config.RequireSecret("tenantBApiKey"),
    });
    var ciB = new Palette.ApiKey("ci-b", new Palette.ApiKeyArgs
    {
        Description = "CI pipeline of tenant B",
        ExpiresIn = "90d",
    }, new CustomResourceOptions { Provider = tenantB });

    var alice = Palette.GetUser.Invoke(new Palette.GetUserInvokeArgs { Email = config.Require("aliceEmail") });

    return new Dictionary<string, object?>
    {
        ["ciKey"] = ci.Key, // a secret
        ["ciKeyName"] = ci.Name,
        ["ciBKey"] = ciB.Key, // a secret
        ["ciBTenant"] = ciB.TenantUid,
        ["aliceUid"] = alice.Apply(u => u.Uid),
    };
});
