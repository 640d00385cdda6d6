"""Write a small-KB cut of CLINC150 for `aftercare eval`: 60 intents × 4 example questions.

Like a hand-written knowledge base (a few phrasings per article); queries of 30 other intents
count as out of scope in val, the remaining 60 intents' queries in test (plus the real OOS).
Usage: python benchmarks/clinc_small.py [SOURCE_DIR] [OUT_DIR]; prints a JSON summary.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path


def main() -> None:
    source = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/eval/clinc150")
    out = Path(sys.argv[2] if len(sys.argv) > 2 else "var/clinc_small")
    out.mkdir(parents=True, exist_ok=True)
    faq = [json.loads(line) for line in (source / "faq.jsonl").open()]
    random.Random(3).shuffle(faq)
    kept, val_oos, test_oos = faq[:60], {r["id"] for r in faq[60:90]}, {r["id"] for r in faq[90:]}
    ids = {r["id"] for r in kept}
    with (out / "faq.jsonl").open("w") as rows:
        for r in kept:
            entry = {
                "id": r["id"],
                "question": r["question"],
                "answer": "",
                "paraphrases": r["paraphrases"][:3],
            }
            rows.write(json.dumps(entry) + "\n")
    counts = {}
    for split, other in (("val", val_oos), ("test", test_oos)):
        n = 0
        with (out / f"queries_{split}.jsonl").open("w") as rows:
            for line in (source / f"queries_{split}.jsonl").open():
                q = json.loads(line)
                if q["gold_id"] in ids:
                    rows.write(line if line.endswith("\n") else line + "\n")
                elif q["gold_id"] is None or q["gold_id"] in other:
                    q.update(gold_id=None, oos_type="oos")
                    rows.write(json.dumps(q) + "\n")
                else:
                    continue
                n += 1
        counts[split] = n
    print(json.dumps({"out": str(out), "entries": len(kept), **counts}))


if __name__ == "__main__":
    main()
