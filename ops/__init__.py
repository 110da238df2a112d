"""Operator tools: the cost and capacity model and the reconcile command.

They sit outside chalicelib/ because Chalice zips all of chalicelib/ into the Lambda
package; only the service ships, and these run from a workstation or CI instead.
"""
