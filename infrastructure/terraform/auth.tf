# Every order request carries a verified JWT. API Gateway checks the token's signature,
# issuer, audience and expiry before the function runs; the function takes the customer
# id from the verified `sub` claim (requestContext.authorizer.claims, payload 1.0).
#
# By default the root creates the issuer: a Cognito user pool and one app client, billed
# per monthly active user only ($0 idle). var.jwt_issuer and var.jwt_audience switch the
# HTTP API to any OIDC provider (Auth0, Entra ID, Okta, Keycloak) and create no Cognito
# resources. The REST API (var.api_type = "rest") has no JWT authorizer, only a Cognito
# user pool authorizer, so it takes the root's pool and refuses an external issuer
# (the precondition on output "jwt_issuer").
locals {
  cognito                = var.jwt_issuer == ""
  cognito_pool_id        = join("", aws_cognito_user_pool.orders[*].id)
  cognito_issuer         = "https://cognito-idp.${data.aws_region.chalice.name}.amazonaws.com/${local.cognito_pool_id}"
  jwt_issuer             = local.cognito ? local.cognito_issuer : var.jwt_issuer
  jwt_audience           = local.cognito ? aws_cognito_user_pool_client.orders[*].id : var.jwt_audience
  rest_api_user_pool_arn = join("", aws_cognito_user_pool.orders[*].arn) # read by the REST API's swagger body
}

resource "aws_cognito_user_pool" "orders" {
  count               = local.cognito ? 1 : 0
  name                = "orders-${var.stage}"
  user_pool_tier      = var.cognito_feature_plan
  deletion_protection = var.stage == "prod" ? "ACTIVE" : "INACTIVE" # as the table: deleting it loses every account

  # Users sign in with their email address; `sub` (a UUID that never changes) is the customer id.
  username_attributes      = ["email"]
  auto_verified_attributes = ["email"]
  mfa_configuration        = "OPTIONAL" # TOTP apps: free; SMS would bill per message

  username_configuration {
    case_sensitive = false
  }

  software_token_mfa_configuration {
    enabled = true
  }

  # Self sign-up is off unless asked for: every account is a billable user once it signs in.
  admin_create_user_config {
    allow_admin_create_user_only = !var.cognito_self_sign_up
  }

  password_policy {
    minimum_length                   = 12
    require_lowercase                = true
    require_uppercase                = true
    require_numbers                  = true
    require_symbols                  = true
    temporary_password_validity_days = 7
  }

  account_recovery_setting {
    recovery_mechanism {
      name     = "verified_email"
      priority = 1
    }
  }
}

# A public client (a browser or mobile app cannot keep a secret, so none is generated):
# SRP sign-in for apps, refresh tokens, and ADMIN_USER_PASSWORD_AUTH, which only a caller
# with IAM credentials for cognito-idp:AdminInitiateAuth can use (operators, smoke tests).
resource "aws_cognito_user_pool_client" "orders" {
  count                                = local.cognito ? 1 : 0
  name                                 = "orders-${var.stage}"
  user_pool_id                         = aws_cognito_user_pool.orders[0].id
  generate_secret                      = false
  explicit_auth_flows                  = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH"]
  supported_identity_providers         = ["COGNITO"]
  allowed_oauth_flows_user_pool_client = false
  prevent_user_existence_errors        = "ENABLED" # sign-in failures do not reveal whether the account exists
  enable_token_revocation              = true
  auth_session_validity                = 3
  access_token_validity                = 60
  id_token_validity                    = 60
  refresh_token_validity               = 30

  token_validity_units {
    access_token  = "minutes"
    id_token      = "minutes"
    refresh_token = "days"
  }
}
