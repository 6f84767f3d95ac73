"""One unsigned GetId with boto3's "standard" retry mode; prints the
attempts it took: python3 retry.py ENDPOINT POOL_ID MAX_ATTEMPTS.
Run by test/e2e/faults, which injects TooManyRequestsException first."""
import json
import sys

import boto3
from botocore import UNSIGNED
from botocore.config import Config

endpoint, pool, attempts = sys.argv[1], sys.argv[2], int(sys.argv[3])
client = boto3.client("cognito-identity", endpoint_url=endpoint, region_name="us-east-1",
                      config=Config(signature_version=UNSIGNED,
                                    retries={"mode": "standard", "max_attempts": attempts}))
out = client.get_id(IdentityPoolId=pool)
print(json.dumps({"IdentityId": out["IdentityId"],
                  "Attempts": out["ResponseMetadata"]["RetryAttempts"] + 1}))
