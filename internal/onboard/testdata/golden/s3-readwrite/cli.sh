# Policy files written to directory ".": trust-policy.json, s3-readonly-permissions.json, s3-readwrite-permissions.json.
# Run these commands from the directory --out is relative to, with credentials of the account that owns the data.

aws iam create-role \
  --role-name S3AccessRoleForLakemap \
  --assume-role-policy-document file://trust-policy.json

aws iam put-role-policy \
  --role-name S3AccessRoleForLakemap \
  --policy-name S3ReadOnlyAccess \
  --policy-document file://s3-readonly-permissions.json

aws iam put-role-policy \
  --role-name S3AccessRoleForLakemap \
  --policy-name S3ReadWriteAccess \
  --policy-document file://s3-readwrite-permissions.json
