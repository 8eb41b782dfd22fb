"""Evidently's default embedding-drift method on windows chosen by bench/drift-banking77.ts.

Reads a job file (cached Banking77 vectors, reference index lists, windows) and prints
{"version": ..., "auc": [...]} with the classifier ROC-AUC of each window. The default method
(EmbeddingsDriftMetric with no drift_method) is ModelDriftMethod with threshold 0.55, bootstrap
only for references under 1,000 rows; the references here are larger.
"""
import json
import sys

import numpy as np
import pandas as pd
from evidently import __version__ as version
from evidently.legacy.metrics.data_drift.embedding_drift_methods import ModelDriftMethod


def main() -> None:
    with open(sys.argv[1]) as f:
        job = json.load(f)
    vectors = np.fromfile(job["vectors"], dtype="<f4").reshape(-1, job["dim"])
    method = ModelDriftMethod()
    refs = [vectors[np.asarray(r)] for r in job["references"]]
    auc = []
    for j in job["jobs"]:
        reference = pd.DataFrame(refs[j["ref"]])
        current = pd.DataFrame(vectors[np.asarray(j["window"])])
        score, _, _ = method(current, reference)
        auc.append(float(score))
    json.dump({"version": version, "auc": auc}, sys.stdout)


main()
