# Chalice 1.34 pins Terraform < 1.4 and the AWS provider < 5 (chalice#2066); the
# package step drops its terraform block and this one applies instead.
terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0, < 6.0"
    }
  }
}

provider "aws" {
  default_tags {
    tags = {
      app   = "orders"
      stage = var.stage
    }
  }
}
