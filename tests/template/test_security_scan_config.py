"""checkov runs on the whole template with nothing waved through except what template.yaml
justifies, resource by resource."""

from __future__ import annotations

import re

from tests.template.loading import ROOT, template_text


def _security_recipe() -> str:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(r"^security:.*\n((?:\t.*\n?)+)", makefile, re.MULTILINE)
    assert match, "the Makefile has no security target"
    return match.group(1)


def test_every_checkov_skip_names_a_check_and_says_why(template):
    skips = 0
    for name, resource in template["Resources"].items():
        for skip in (resource.get("Metadata") or {}).get("checkov", {}).get("skip", []):
            skips += 1
            assert re.fullmatch(r"CKV2?_AWS_\d+", skip["id"]), f"{name}: {skip}"
            assert len(skip.get("comment", "").split()) >= 6, f"{name} skips {skip['id']} without saying why"
    assert skips > 0


def test_no_check_is_skipped_inline_or_globally():
    assert "checkov:skip" not in template_text(), "skip in the resource's Metadata, with a comment"
    recipe = _security_recipe()
    for loose in ("--skip-check", "--soft-fail", "--check ", "-c ", "--skip-framework"):
        assert loose not in recipe, f"make security must not use {loose}"


def test_the_scan_covers_template_yaml_and_its_sam_transformed_form():
    recipe = _security_recipe()
    assert "--file template.yaml" in recipe
    assert "loading.py $(SCAN_DIR)/transformed-template.json" in recipe
    assert "--file $(SCAN_DIR)/transformed-template.json" in recipe
    assert "--skip-download" in recipe


def test_make_test_runs_the_security_scan():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    (prerequisites,) = re.findall(r"^test:([^#\n]*)", makefile, re.MULTILINE)
    assert "security" in prerequisites.split()


def test_checkov_is_pinned_with_its_whole_lock():
    lock = (ROOT / "requirements" / "security.txt").read_text(encoding="utf-8").splitlines()
    pins = [line for line in lock if line and not line.startswith("#")]
    assert "checkov==3.3.30" in pins
    assert all(re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[^=\s]+", p) for p in pins), (
        "every line of the lock is an exact pin"
    )
    assert len(pins) > 20, "the lock lists checkov's dependencies too"
