"""Deployment: `make package` builds the Terraform root (see docs/deploy.md)."""
