"""Region attributes and split weights: real attributes rewritten into the format, synthetic edge cases."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from boligmonitor.core.errors import InputError, InputProblem
from boligmonitor.sources.readers.region_files import (
    RegionAttribute,
    SplitWeight,
    read_region_attributes,
    read_split_weights,
)

ATTRIBUTE_HEADER = "region,attribute,year,value,source"
WEIGHT_HEADER = "old_code,new_code,valid_until_year,weight,source"


def write(tmp_path: Path, header: str, *rows: str, name: str = "synthetic.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def attribute_problems(path: Path) -> tuple[InputProblem, ...]:
    with pytest.raises(InputError) as caught:
        read_region_attributes(path)
    return caught.value.problems


def weight_problems(path: Path) -> tuple[InputProblem, ...]:
    with pytest.raises(InputError) as caught:
        read_split_weights(path)
    return caught.value.problems


# --- region attributes --------------------------------------------------------------------------------------


def test_real_kostra_groups_and_centrality_in_the_attribute_format(shared_data: Path, tmp_path: Path) -> None:
    """The published KOSTRA groups and centrality classes of 357 municipalities × 3 years all pass."""
    source = shared_data / "registry" / "samarbeidsdesken_kommune_attributes_2022_2024.csv"
    path = tmp_path / "attributes.csv"
    with (
        source.open(encoding="utf-8", newline="") as src,
        path.open("w", encoding="utf-8", newline="") as out,
    ):
        writer = csv.writer(out)
        writer.writerow(ATTRIBUTE_HEADER.split(","))
        for row in csv.DictReader(src):
            writer.writerow(
                [
                    row["kommunenummer"],
                    "kostra_group",
                    row["year"],
                    row["kostranr"],
                    "SSB via Samarbeidsdesken",
                ]
            )
            writer.writerow([row["kommunenummer"], "centrality", row["year"], row["sentralitet"], "SSB"])
    attributes = read_region_attributes(path)
    assert len(attributes) == 2 * 1071
    assert {a.value for a in attributes if a.attribute == "kostra_group"} == {f"EKG{n:02d}" for n in range(1, 18)}
    assert {a.value for a in attributes if a.attribute == "centrality"} == {"1", "2", "3", "4", "5", "6"}
    assert RegionAttribute(2, "0301", "kostra_group", 2022, "EKG13", "SSB via Samarbeidsdesken") in attributes


def test_synthetic_attributes_are_canonicalised(tmp_path: Path) -> None:
    path = write(tmp_path, ATTRIBUTE_HEADER, "K-1101,centrality,2024,04,", "1101,economic_region,2024,11001,synthetic")
    assert read_region_attributes(path) == [
        RegionAttribute(2, "1101", "centrality", 2024, "4", None),
        RegionAttribute(3, "1101", "economic_region", 2024, "11001", "synthetic"),
    ]


def test_attribute_problems_name_line_and_field(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        ATTRIBUTE_HEADER,
        "0301,kostra_group,2024,EKG13,",
        "0301,kostra_group,2024,EKG18,",
        "0301,centrality,2024,7,",
        "0301,robek,2024,ja,",
        "301,centrality,2024,1,",
        "03,centrality,2024,1,",
        "0301,centrality,24,1,",
        "0301,kostra_group,2024,EKG12,",
    )
    found = {(p.line, p.field) for p in attribute_problems(path)}
    assert found == {
        (3, "value"),
        (4, "value"),
        (5, "attribute"),
        (6, "region"),
        (7, "region"),
        (8, "year"),
        (9, "region, attribute, year"),
    }


def test_duplicate_attribute_names_both_lines(tmp_path: Path) -> None:
    path = write(tmp_path, ATTRIBUTE_HEADER, "0301,centrality,2024,1,", "0301,centrality,2024,2,")
    [problem] = attribute_problems(path)
    assert "lines 2 and 3" in problem.message


def test_attribute_header_only(tmp_path: Path) -> None:
    [problem] = attribute_problems(write(tmp_path, ATTRIBUTE_HEADER))
    assert "no data rows" in problem.message


def test_attribute_unknown_column(tmp_path: Path) -> None:
    [problem] = attribute_problems(write(tmp_path, ATTRIBUTE_HEADER + ",name", "0301,centrality,2024,1,,Oslo"))
    assert (problem.line, problem.field) == (1, "name")


# --- split weights (synthetic weights; real splits need population-based weights) -------------------------


def test_synthetic_split_weights(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        WEIGHT_HEADER,
        "1507,1508,2023,0.8,synthetic",
        "1507,1580,2023,0.2,synthetic",
        "5012,5055,2019,0.35,",
        "5012,5056,2019,0.35,",
        "5012,5059,2019,0.30,",
        "30,31,2023,0.5,",
        "30,32,2023,0.25,",
        "30,33,2023,0.25,",
    )
    weights = read_split_weights(path)
    assert len(weights) == 8
    assert weights[0] == SplitWeight(2, "1507", "1508", 2023, 0.8, "synthetic")


def test_weights_that_do_not_sum_to_one_name_the_lines(tmp_path: Path) -> None:
    path = write(tmp_path, WEIGHT_HEADER, "1507,1508,2023,0.5,", "5012,5055,2019,1,", "1507,1580,2023,0.4,")
    [problem] = weight_problems(path)
    assert (problem.line, problem.field) == (2, "weight")
    assert "lines 2, 4" in problem.message
    assert "0.9" in problem.message


def test_sums_are_per_valid_until_year(tmp_path: Path) -> None:
    path = write(tmp_path, WEIGHT_HEADER, "1507,1508,2022,0.6,", "1507,1580,2022,0.4,", "1507,1508,2023,0.7,")
    [problem] = weight_problems(path)
    assert problem.line == 4


def test_weight_problems_name_line_and_field(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        WEIGHT_HEADER,
        "1507,1508,2023,1.5,",
        "1507,15,2023,1,",
        "1507,1508,2023,abc,",
        "1507,1508,23,1,",
        "0000,1508,2023,1,",
    )
    found = {(p.line, p.field) for p in weight_problems(path)}
    assert found == {(2, "weight"), (3, "new_code"), (4, "weight"), (5, "valid_until_year"), (6, "old_code")}


def test_duplicate_weight_names_both_lines(tmp_path: Path) -> None:
    path = write(tmp_path, WEIGHT_HEADER, "1507,1508,2023,0.5,", "1507,1508,2023,0.5,")
    problems = weight_problems(path)
    assert any("lines 2 and 3" in p.message for p in problems)
