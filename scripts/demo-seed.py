#!/usr/bin/env python3
"""Seeds a tiny Glue estate into moto for the README walkthrough.

The data goes into the customer account 111122223333, reached the way lakemap
reaches it: by assuming a role there (moto scopes assumed-role credentials to
the role's account).
"""
import sys

import boto3

endpoint = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5000"
base = dict(endpoint_url=endpoint, region_name="us-east-1",
            aws_access_key_id="test", aws_secret_access_key="test")

creds = boto3.client("sts", **base).assume_role(
    RoleArn="arn:aws:iam::111122223333:role/GlueAccessRoleForLakemap",
    RoleSessionName="demo-seed", ExternalId="demo-external-id")["Credentials"]
session = dict(endpoint_url=endpoint, region_name="us-east-1",
               aws_access_key_id=creds["AccessKeyId"],
               aws_secret_access_key=creds["SecretAccessKey"],
               aws_session_token=creds["SessionToken"])
glue = boto3.client("glue", **session)

# The bucket the tables live in, so the connection test can read it.
s3 = boto3.client("s3", **session)
s3.create_bucket(Bucket="demo-lake")
s3.put_object(Bucket="demo-lake", Key="sales/orders/dt=2025-01-01/part-0000.parquet", Body=b"PAR1")

parquet = {
    "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"},
}

glue.create_database(DatabaseInput={"Name": "sales", "Description": "Orders and customers"})
glue.create_database(DatabaseInput={"Name": "marketing", "Description": "Campaigns"})
glue.create_table(DatabaseName="sales", TableInput={
    "Name": "orders", "Description": "One row per order", "TableType": "EXTERNAL_TABLE",
    "Owner": "data-platform",
    "Parameters": {"classification": "parquet"},
    "StorageDescriptor": dict(parquet, Location="s3://demo-lake/sales/orders/", Columns=[
        {"Name": "order_id", "Type": "bigint", "Comment": "primary key"},
        {"Name": "customer_id", "Type": "bigint", "Comment": "who ordered"},
        {"Name": "amount", "Type": "decimal(10,2)"},
        {"Name": "shipping", "Type": "struct<city:string,zip:string>", "Comment": "delivery address"},
    ]),
    "PartitionKeys": [{"Name": "dt", "Type": "string"}],
})
glue.create_table(DatabaseName="sales", TableInput={
    "Name": "customers", "Description": "Clients, one row each", "TableType": "EXTERNAL_TABLE",
    "Parameters": {"table_type": "ICEBERG", "metadata_location": "s3://demo-lake/sales/customers/metadata/00001.json"},
    "StorageDescriptor": {"Location": "s3://demo-lake/sales/customers/", "Columns": [
        {"Name": "customer_id", "Type": "bigint"},
        {"Name": "nom_complet", "Type": "string", "Comment": "nom et prénom"},
    ]},
})
glue.create_table(DatabaseName="sales", TableInput={
    "Name": "big_orders", "TableType": "VIRTUAL_VIEW", "Description": "Orders over 1000",
    "ViewOriginalText": "SELECT * FROM sales.orders WHERE amount > 1000",
    "StorageDescriptor": {"Columns": [{"Name": "order_id", "Type": "bigint"}]},
})
glue.create_table(DatabaseName="marketing", TableInput={
    "Name": "campaigns", "TableType": "EXTERNAL_TABLE",
    "StorageDescriptor": dict(parquet, Location="s3://demo-lake/marketing/campaigns/", Columns=[
        {"Name": "campaign_id", "Type": "string"}, {"Name": "budget", "Type": "double"}]),
})
print("seeded account 111122223333: databases sales, marketing; 4 tables; bucket demo-lake")
