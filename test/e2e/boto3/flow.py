"""Drives idpool with boto3 (Debian's python3-boto3) and prints what it saw as JSON.

usage: python3 flow.py ENDPOINT_URL
Credentials and region come from the environment (the development account).
"""
import json
import sys

import boto3
from botocore.exceptions import ClientError

endpoint = sys.argv[1]
ci = boto3.client("cognito-identity", endpoint_url=endpoint)
out = {}


def error_of(fn):
    try:
        fn()
    except ClientError as e:
        return {
            "code": e.response["Error"]["Code"],
            "message": e.response["Error"]["Message"],
            "status": e.response["ResponseMetadata"]["HTTPStatusCode"],
        }
    return None


pool = ci.create_identity_pool(
    IdentityPoolName="boto3 pool",
    AllowUnauthenticatedIdentities=True,
    IdentityPoolTags={"team": "qa"},
)
pid = pool["IdentityPoolId"]
out["create"] = {k: pool[k] for k in ("IdentityPoolId", "IdentityPoolName", "AllowUnauthenticatedIdentities")}
out["describe"] = ci.describe_identity_pool(IdentityPoolId=pid)["IdentityPoolName"]

for i in range(4):
    ci.create_identity_pool(IdentityPoolName="boto3 extra %d" % i, AllowUnauthenticatedIdentities=False)
paginator = ci.get_paginator("list_identity_pools")
seen = []
for page in paginator.paginate(MaxResults=2):
    seen.extend(p["IdentityPoolId"] for p in page["IdentityPools"])
out["paginated"] = seen

ident = ci.get_id(IdentityPoolId=pid)["IdentityId"]
out["identityId"] = ident
desc = ci.describe_identity(IdentityId=ident)
out["describeIdentity"] = {"IdentityId": desc["IdentityId"], "hasCreationDate": "CreationDate" in desc}
listed = ci.list_identities(IdentityPoolId=pid, MaxResults=10)
out["listed"] = [i["IdentityId"] for i in listed["Identities"]]

out["tags"] = ci.list_tags_for_resource(
    ResourceArn="arn:aws:cognito-identity:us-east-1:000000000000:identitypool/" + pid
)["Tags"]

out["errors"] = {
    "unknownPool": error_of(lambda: ci.describe_identity_pool(IdentityPoolId="us-east-1:00000000-0000-0000-0000-000000000000")),
    "badName": error_of(lambda: ci.create_identity_pool(IdentityPoolName="bad/name", AllowUnauthenticatedIdentities=True)),
}
ci.delete_identity_pool(IdentityPoolId=pid)
out["afterDelete"] = error_of(lambda: ci.describe_identity_pool(IdentityPoolId=pid))
print(json.dumps(out))
