variable "stage" {
  description = "Deployment stage; names every resource. Deletion protection is on in prod."
  type        = string
  default     = "dev"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,15}$", var.stage))
    error_message = "stage must be 2-16 lowercase letters, digits or dashes."
  }
}

variable "api_type" {
  description = "http: API Gateway HTTP API ($1.00 per million requests). rest: Chalice's REST API ($3.50 per million)."
  type        = string
  default     = "http"

  validation {
    condition     = contains(["http", "rest"], var.api_type)
    error_message = "api_type must be http or rest."
  }
}

variable "log_retention_days" {
  description = "Retention of the function and access log groups."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention CloudWatch Logs accepts."
  }
}

variable "enable_alarms" {
  description = "Alarms, their SNS topic and KMS key, and the dashboard: about $2.60 a month idle. false leaves only the retry queue's idle polling (about $0.26 a month)."
  type        = bool
  default     = true
}

variable "alarm_email" {
  description = "Optional address subscribed to the alarm topic (the subscription must be confirmed)."
  type        = string
  default     = ""
}

variable "simulator_latency_ms" {
  description = "Latency the payment and shipping simulators add per call."
  type        = number
  default     = 50
}

variable "api_throttle_rate_limit" {
  description = "Steady-state requests per second the API stage admits."
  type        = number
  default     = 100
}

variable "api_throttle_burst_limit" {
  description = "Burst of requests the API stage admits."
  type        = number
  default     = 200
}

variable "table_kms_key_arn" {
  description = "Customer-managed KMS key for the table; null uses the AWS-managed key aws/dynamodb (no monthly fee)."
  type        = string
  default     = null
}

variable "iterator_age_alarm_ms" {
  description = "Alarm when a stream handler (the processor or the event publisher) falls this far behind the newest record."
  type        = number
  default     = 60000
}

variable "retry_age_alarm_seconds" {
  description = "Alarm when the oldest message on the retry queue is older than this. A retry waits at most 900 s, so the default leaves a margin."
  type        = number
  default     = 1800

  validation {
    condition     = var.retry_age_alarm_seconds > 900
    error_message = "retry_age_alarm_seconds must exceed 900 (SQS's longest delay), or the alarm fires on healthy retries."
  }
}

variable "api_5xx_alarm_percent" {
  description = "Alarm when this percentage of API requests fail with a 5XX over five minutes."
  type        = number
  default     = 1
}

variable "jwt_issuer" {
  description = "An external OIDC issuer (its `iss`, e.g. https://example.eu.auth0.com/). Empty: the root creates a Cognito user pool and uses it."
  type        = string
  default     = ""

  validation {
    condition     = var.jwt_issuer == "" || startswith(var.jwt_issuer, "https://")
    error_message = "jwt_issuer must be an https:// URL (the token's iss claim), or empty for the root's Cognito user pool."
  }
}

variable "jwt_audience" {
  description = "With jwt_issuer: the audiences (aud, or client_id when a token has no aud) a token must carry. Empty with the Cognito user pool."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for audience in var.jwt_audience : trimspace(audience) != ""])
    error_message = "jwt_audience must not hold empty strings."
  }
}

variable "cognito_feature_plan" {
  description = "The user pool's feature plan: LITE (10,000 MAUs free, then $0.0055), ESSENTIALS (10,000 free, then $0.015) or PLUS ($0.02, no free tier)."
  type        = string
  default     = "LITE"

  validation {
    condition     = contains(["LITE", "ESSENTIALS", "PLUS"], var.cognito_feature_plan)
    error_message = "cognito_feature_plan must be LITE, ESSENTIALS or PLUS."
  }
}

variable "cognito_self_sign_up" {
  description = "Let anyone create an account in the Cognito user pool. Off: an administrator creates each user (admin-create-user)."
  type        = bool
  default     = false
}

variable "event_archive_retention_days" {
  description = "Days the event archive keeps every event on the bus for replay. Storage is billed per GB-month, so it is always bounded."
  type        = number
  default     = 30

  validation {
    condition     = var.event_archive_retention_days >= 1 && floor(var.event_archive_retention_days) == var.event_archive_retention_days
    error_message = "event_archive_retention_days must be a whole number of days, at least 1 (0, keeping events forever, is not offered: storage would grow without bound)."
  }
}
