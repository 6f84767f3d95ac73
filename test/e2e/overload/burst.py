"""Sends a burst of unsigned GetId calls with boto3's default retry settings
and prints how many completed: python3 burst.py ENDPOINT POOL_ID COUNT."""
import json
import sys
import threading

import boto3
from botocore import UNSIGNED
from botocore.config import Config

endpoint, pool, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
client = boto3.client("cognito-identity", endpoint_url=endpoint, region_name="us-east-1",
                      config=Config(signature_version=UNSIGNED))
completed, errors, lock, start = [0], [], threading.Lock(), threading.Event()


def call():
    start.wait()
    try:
        out = client.get_id(IdentityPoolId=pool)
        assert out["IdentityId"].startswith("us-east-1:")
        with lock:
            completed[0] += 1
    except Exception as e:  # reported to the Go test, which fails on any
        with lock:
            errors.append(repr(e))


threads = [threading.Thread(target=call) for _ in range(count)]
for t in threads:
    t.start()
start.set()
for t in threads:
    t.join()
print(json.dumps({"Completed": completed[0], "Errors": errors}))
