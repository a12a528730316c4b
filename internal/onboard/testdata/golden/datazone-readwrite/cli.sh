# Policy files written to directory ".": trust-policy.json, datazone-readonly-permissions.json, datazone-readwrite-permissions.json.
# Run these commands from the directory --out is relative to, with credentials of the account that owns the data.

aws iam create-role \
  --role-name DataZoneAccessRoleForLakemap \
  --assume-role-policy-document file://trust-policy.json

aws iam put-role-policy \
  --role-name DataZoneAccessRoleForLakemap \
  --policy-name DataZoneReadOnlyAccess \
  --policy-document file://datazone-readonly-permissions.json

aws iam put-role-policy \
  --role-name DataZoneAccessRoleForLakemap \
  --policy-name DataZoneReadWriteAccess \
  --policy-document file://datazone-readwrite-permissions.json
