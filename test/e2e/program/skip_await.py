"""The e2e wrapper of a Python example program: sets pulumi.com/skipAwait on every Kubernetes
object (the harness runs no Pods, so awaiting readiness would hang), then runs the example
(`example.py` beside this file, the example's own __main__.py) unchanged. A stack transform
reaches the objects the component provider registers too. Tests only, like skipAwait.ts."""
import os
import runpy

import pulumi


def skip_await(args: pulumi.ResourceTransformArgs):
    if not args.custom or not args.type_.startswith("kubernetes:") or args.type_.startswith("kubernetes:helm.sh/"):
        return None
    props = dict(args.props)
    metadata = dict(props.get("metadata") or {})
    metadata["annotations"] = {**(metadata.get("annotations") or {}), "pulumi.com/skipAwait": "true"}
    props["metadata"] = metadata
    return pulumi.ResourceTransformResult(props, args.opts)


pulumi.runtime.register_resource_transform(skip_await)
runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "example.py"), run_name="__main__")
