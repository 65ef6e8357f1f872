"""The machine a model was fitted on: recorded in its manifest, compared when the run is loaded elsewhere."""

from __future__ import annotations

import json
import socket
import warnings

import pytest

from topics.model import TopicModel
from topics.model.provenance import (
    NUMERIC_PACKAGES,
    instruction_set,
    machine_profile,
    package_versions,
    provenance_difference,
)


@pytest.mark.parametrize(
    ("flags", "tier"),
    [
        ({"avx2", "fma", "avx512f", "avx512_vnni", "amx_tile", "amx_int8"}, "AMX-INT8"),
        ({"avx2", "fma", "avx512f", "avx512_vnni"}, "AVX-512 VNNI"),
        ({"avx2", "fma", "avx512f"}, "AVX-512"),
        ({"avx", "avx2", "fma", "avx_vnni"}, "AVX-VNNI"),
        ({"avx", "avx2", "fma"}, "AVX2"),  # e.g. an AMD EPYC of the Zen 2 / Zen 3 generations
        ({"avx"}, "AVX"),
        ({"asimd", "fp"}, "NEON"),  # 64-bit ARM (Apple silicon under Linux, Graviton)
        ({"sse4_2"}, "baseline"),
    ],
)
def test_instruction_set_tiers(flags, tier):
    assert instruction_set(flags) == tier


def test_machine_profile_names_the_cpu_and_nothing_about_the_user():
    profile = machine_profile()
    assert set(profile) == {"arch", "cpu", "instruction_set", "system"}
    assert profile["instruction_set"] == instruction_set()
    assert socket.gethostname() not in profile.values()  # no host name, user or path: the four fields only
    assert not any("/" in value for value in profile.values())


def test_no_difference_on_the_same_machine_or_for_an_old_manifest():
    same = {"machine": machine_profile(), "versions": package_versions()}
    assert provenance_difference(same) is None
    assert provenance_difference({"versions": {"torch": "0.0.1"}}) is None  # written before the machine was


def test_another_instruction_set_and_versions_are_named():
    other = "AVX2" if instruction_set() != "AVX2" else "AVX-512 VNNI"
    versions = dict(package_versions(), torch="2.0.0+cpu", plotly="1.0")  # plotly does not change the arithmetic
    note = provenance_difference({"machine": dict(machine_profile(), instruction_set=other), "versions": versions})
    assert note is not None
    assert f"fitted on a {other} CPU" in note and f"this one is {instruction_set()}" in note
    assert "torch 2.0.0+cpu -> " in note and "plotly" not in note
    assert "do not change" in note  # what stays the same is said too
    assert "torch" in NUMERIC_PACKAGES


@pytest.mark.slow
def test_a_saved_model_records_the_machine_and_a_load_elsewhere_says_so(annomi_run, embedder, tmp_path):
    analysis, run = annomi_run
    manifest = json.loads((run / "model" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["machine"] == machine_profile()
    assert manifest["versions"]["openvino"] == package_versions()["openvino"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the same machine: no warning
        here = TopicModel.load(run / "model", embedder=embedder)
    assert here.provenance_note_ is None

    analysis.model.save(tmp_path / "m")
    moved = tmp_path / "m" / "manifest.json"
    data = json.loads(moved.read_text(encoding="utf-8"))
    data["machine"]["instruction_set"] = "AVX2" if instruction_set() != "AVX2" else "AMX-INT8"
    moved.write_text(json.dumps(data), encoding="utf-8")
    with pytest.warns(UserWarning, match="fitted on another kind of machine"):
        elsewhere = TopicModel.load(tmp_path / "m", embedder=embedder)
    assert elsewhere.provenance_note_ and ("AVX" in elsewhere.provenance_note_ or "AMX" in elsewhere.provenance_note_)
    assert elsewhere.assignments_.equals(here.assignments_)  # the stored tables are what they were


@pytest.mark.slow
def test_the_report_of_a_run_from_another_machine_says_so(annomi_run, tmp_path):
    import shutil

    import topics

    _, run = annomi_run
    moved = tmp_path / "from-elsewhere"
    shutil.copytree(run, moved)
    manifest = moved / "model" / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["machine"] = dict(data["machine"], instruction_set="AVX2" if instruction_set() != "AVX2" else "AMX-INT8")
    manifest.write_text(json.dumps(data), encoding="utf-8")
    with pytest.warns(UserWarning, match="another kind of machine"):
        page = topics.report(moved, out=tmp_path / "report.html", formats=[], compare_by=False, progress=False)
    html = page.read_text(encoding="utf-8")
    assert 'class="warn">This run was fitted on another kind of machine' in html
    assert f"({data['machine']['arch']}, {data['machine']['instruction_set']})" in html  # the method table


def test_a_hostile_machine_record_gives_a_short_line():
    hostile = {"instruction_set": "<script>alert(1)</script>" + "x" * 10_000, "arch": "y" * 10_000}
    note = provenance_difference({"machine": hostile, "versions": {"torch": "z" * 10_000}})
    assert note is not None and len(note) < 600
