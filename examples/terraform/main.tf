# Two Palette API keys managed by Terraform (or OpenTofu): one for the caller, one that the tenant
# admin makes for Alice, found by email. Credentials come from the environment, never from this file:
#   export SPECTROCLOUD_HOST=api.spectrocloud.com SPECTROCLOUD_APIKEY=<a tenant admin's API key>
# Install the provider from the npm package's filesystem mirror (see README "Terraform"):
#   npx palette-apikeys terraform-mirror ./tf-mirror --cli-config ./terraform.rc
#   export TF_CLI_CONFIG_FILE=$PWD/terraform.rc && terraform init
terraform {
  required_version = ">= 1.5"
  required_providers {
    palette = {
      source = "terraform.local/palette-apikeys/palette"
    }
  }
}

provider "palette" {}

variable "ci_expires_in" {
  description = "Lifetime of the CI key, resolved once to an instant: changing it re-dates the key in place."
  type        = string
  default     = "30d"
}

variable "alice_email" {
  type    = string
  default = "alice@palette.local"
}

resource "palette_api_key" "ci_bot" {
  name        = "ci-bot"
  description = "CI deployer"
  expires_in  = var.ci_expires_in
}

resource "palette_api_key" "alice_ci" {
  name        = "alice-ci"
  description = "Alice's automation"
  user_email  = var.alice_email
  expires_in  = "90d"
}

# Alice's Palette user, found by email (her uid could name the owner instead: user_uid).
data "palette_user" "alice" {
  email = var.alice_email
}

output "ci_bot_uid" {
  value = palette_api_key.ci_bot.id
}

output "ci_bot_key" {
  value     = palette_api_key.ci_bot.key
  sensitive = true
}

output "alice_uid" {
  value = data.palette_user.alice.id
}
