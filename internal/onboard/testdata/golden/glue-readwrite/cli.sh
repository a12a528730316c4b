# Policy files written to directory ".": trust-policy.json, glue-readonly-permissions.json, glue-readwrite-permissions.json.
# Run these commands from the directory --out is relative to, with credentials of the account that owns the data.

aws iam create-role \
  --role-name GlueAccessRoleForLakemap \
  --assume-role-policy-document file://trust-policy.json

aws iam put-role-policy \
  --role-name GlueAccessRoleForLakemap \
  --policy-name GlueReadOnlyAccess \
  --policy-document file://glue-readonly-permissions.json

aws iam put-role-policy \
  --role-name GlueAccessRoleForLakemap \
  --policy-name GlueReadWriteAccess \
  --policy-document file://glue-readwrite-permissions.json
