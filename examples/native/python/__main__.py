"""The native provider palette from Python: the same program as the TypeScript, Go, C# and YAML
examples beside it (README.md there has the commands).

- ci: a key for the caller, through the default provider (the stack's palette: config).
- tenant-b: an explicit provider with its own host and key; ci-b is made in that tenant.
- get_user: a user found by email.
"""
import pulumi
import pulumi_palette as palette

config = pulumi.Config()

ci = palette.ApiKey("ci", description="CI pipeline", expires_in="90d")

tenant_b = palette.Provider(
    "tenant-b",
    host=config.require("tenantBHost"),
    api_key=config.require_secret("tenantBApiKey"),
)
ci_b = palette.ApiKey(
    "ci-b",
    description="CI pipeline of tenant B",
    expires_in="90d",
    opts=pulumi.ResourceOptions(provider=tenant_b),
)

alice = palette.get_user(email=config.require("aliceEmail"))

pulumi.export("ciKey", ci.key)  # a secret
pulumi.export("ciKeyName", ci.name)
pulumi.export("ciBKey", ci_b.key)  # a secret
pulumi.export("ciBTenant", ci_b.tenant_uid)
pulumi.export("aliceUid", alice.uid)
