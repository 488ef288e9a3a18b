"""The labelled sets in tests/data parse, and every tag they expect is one their rules can give."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.tagging.rules import load_rules
from tests.support.tagging import SHIPPED

DATA = Path(__file__).resolve().parents[1] / "data"

SETS = [
    ("tagging_dev.jsonl", SHIPPED),
    ("tagging_heldout.jsonl", SHIPPED),
    ("tagging_heldout2.jsonl", SHIPPED),
    ("tagging_heldout3.jsonl", SHIPPED),
    ("tagging_heldout4.jsonl", SHIPPED),
    ("tagging_dev3.jsonl", SHIPPED),
    ("tagging_dev11_precision.jsonl", SHIPPED),
    ("tagging_dev11_precision_after.jsonl", SHIPPED),
    ("tagging_dev11_precision_wishes.jsonl", SHIPPED),
    ("tagging_dev11_precision_behalf.jsonl", SHIPPED),
    ("tagging_dev11_precision_passed.jsonl", SHIPPED),
    ("reno_dev11_precision.jsonl", DATA / "reno_tags.toml"),
    ("auto_dev11_passed.jsonl", DATA / "auto_tags.toml"),
    ("laundry_dev11_passed.jsonl", DATA / "laundry_tags.toml"),
    ("nail_dev11_passed.jsonl", DATA / "nail_tags.toml"),
    ("tagging_dev11_precision_aside.jsonl", SHIPPED),
    ("tagging_dev11_precision_excuses.jsonl", SHIPPED),
    ("tagging_dev11_precision_excuses_after.jsonl", SHIPPED),
    ("tagging_dev11_precision_arrived.jsonl", SHIPPED),
    ("tagging_dev11_precision_arrived_after.jsonl", SHIPPED),
    ("reno_dev11_arrived.jsonl", DATA / "reno_tags.toml"),
    ("laundry_dev11_arrived.jsonl", DATA / "laundry_tags.toml"),
    ("tagging_dev11_precision_judged.jsonl", SHIPPED),
    ("tagging_dev11_precision_judged_after.jsonl", SHIPPED),
    ("dental_dev11_fees.jsonl", DATA / "dental_tags.toml"),
    ("salon_dev11_fees.jsonl", DATA / "salon_tags.toml"),
    ("photo_dev11_fees.jsonl", DATA / "photo_tags.toml"),
    ("gym_heldout.jsonl", DATA / "gym_tags.toml"),
    ("dental_heldout.jsonl", DATA / "dental_tags.toml"),
    ("tagging_heldout6.jsonl", SHIPPED),
    ("auto_heldout.jsonl", DATA / "auto_tags.toml"),
    ("tagging_heldout7.jsonl", SHIPPED),
    ("postnatal_heldout.jsonl", DATA / "postnatal_tags.toml"),
    ("laundry_dev.jsonl", DATA / "laundry_tags.toml"),
    ("photo_dev.jsonl", DATA / "photo_tags.toml"),
    ("driving_dev.jsonl", DATA / "driving_tags.toml"),
    ("tagging_heldout8.jsonl", SHIPPED),
    ("optical_heldout.jsonl", DATA / "optical_tags.toml"),
    ("cleaning_heldout.jsonl", DATA / "cleaning_tags.toml"),
    ("tagging_heldout9.jsonl", SHIPPED),
    ("physio_heldout.jsonl", DATA / "physio_tags.toml"),
    ("swim_dev.jsonl", DATA / "swim_tags.toml"),
    ("repair_dev.jsonl", DATA / "repair_tags.toml"),
    ("homestay_heldout.jsonl", DATA / "homestay_tags.toml"),
    ("physio_dev_operator.jsonl", DATA / "physio_tags.toml"),
    ("nail_dev_operator.jsonl", DATA / "nail_tags.toml"),
    ("tagging_dev10_operator.jsonl", SHIPPED),
    ("tagging_heldout10.jsonl", SHIPPED),
    ("reno_heldout.jsonl", DATA / "reno_tags.toml"),
    ("bakery_heldout.jsonl", DATA / "bakery_tags.toml"),
    ("florist_dev.jsonl", DATA / "florist_tags.toml"),
    ("fruit_dev.jsonl", DATA / "fruit_tags.toml"),
    ("furniture_dev.jsonl", DATA / "furniture_tags.toml"),
    ("tea_dev.jsonl", DATA / "tea_tags.toml"),
    ("tagging_heldout11.jsonl", SHIPPED),
    ("moving_heldout.jsonl", DATA / "moving_tags.toml"),
    ("dance_heldout.jsonl", DATA / "dance_tags.toml"),
    ("tailor_dev.jsonl", DATA / "tailor_tags.toml"),
    ("print_dev.jsonl", DATA / "print_tags.toml"),
    ("coding_dev.jsonl", DATA / "coding_tags.toml"),
    ("yoga_dev.jsonl", DATA / "yoga_tags.toml"),
    ("diner_dev.jsonl", DATA / "diner_tags.toml"),
    ("broadband_dev.jsonl", DATA / "broadband_tags.toml"),
    ("windows_dev.jsonl", DATA / "windows_tags.toml"),
    ("bento_dev.jsonl", DATA / "bento_tags.toml"),
    ("curtain_dev.jsonl", DATA / "curtain_tags.toml"),
    ("pottery_dev.jsonl", DATA / "pottery_tags.toml"),
    ("pottery_when_dev.jsonl", DATA / "pottery_tags.toml"),
    ("camping_dev.jsonl", DATA / "camping_tags.toml"),
    ("banquet_dev.jsonl", DATA / "banquet_tags.toml"),
    ("checkup_dev.jsonl", DATA / "checkup_tags.toml"),
    ("pottery_optout_dev.jsonl", DATA / "pottery_tags.toml"),
    ("checkup_optout_dev.jsonl", DATA / "checkup_tags.toml"),
    ("art_dev.jsonl", DATA / "art_tags.toml"),
    ("weiqi_dev.jsonl", DATA / "weiqi_tags.toml"),
    ("phone_dev.jsonl", DATA / "phone_tags.toml"),
    ("carcare_dev.jsonl", DATA / "carcare_tags.toml"),
    ("tagging_dev11_recall.jsonl", SHIPPED),
    ("tagging_dev11_recall_after.jsonl", SHIPPED),
    ("tagging_dev11_recall_contact.jsonl", SHIPPED),
    ("tagging_heldout12.jsonl", SHIPPED),
    ("eldercare_heldout.jsonl", DATA / "eldercare_tags.toml"),
    ("studyabroad_heldout.jsonl", DATA / "studyabroad_tags.toml"),
    ("tagging_heldout13.jsonl", SHIPPED),
    ("kidsport_heldout.jsonl", DATA / "kidsport_tags.toml"),
    ("babystore_heldout.jsonl", DATA / "babystore_tags.toml"),
    ("estate_heldout.jsonl", DATA / "estate_tags.toml"),
    ("wine_heldout.jsonl", DATA / "wine_tags.toml"),
    ("pest_heldout.jsonl", DATA / "pest_tags.toml"),
    ("farm_heldout.jsonl", DATA / "farm_tags.toml"),
    ("tagging_train_clinic.jsonl", SHIPPED),
    ("tagging_train_school.jsonl", SHIPPED),
    ("tagging_train_week.jsonl", SHIPPED),
    ("intents_train_a.jsonl", SHIPPED),
    ("intents_train_b.jsonl", SHIPPED),
    ("tagging_train_voice.jsonl", SHIPPED),
    ("travel_dev.jsonl", DATA / "travel_tags.toml"),
    ("lash_dev.jsonl", DATA / "lash_tags.toml"),
    ("carrental_dev.jsonl", DATA / "carrental_tags.toml"),
    ("hearing_dev.jsonl", DATA / "hearing_tags.toml"),
    ("gardening_dev.jsonl", DATA / "gardening_tags.toml"),
    ("massage_dev.jsonl", DATA / "massage_tags.toml"),
    ("karaoke_dev.jsonl", DATA / "karaoke_tags.toml"),
    ("hotel_dev.jsonl", DATA / "hotel_tags.toml"),
    ("tutorhome_dev.jsonl", DATA / "tutorhome_tags.toml"),
    ("appliance_dev.jsonl", DATA / "appliance_tags.toml"),
    ("kidsplay_dev.jsonl", DATA / "kidsplay_tags.toml"),
    ("carsales_dev.jsonl", DATA / "carsales_tags.toml"),
    ("exam_dev.jsonl", DATA / "exam_tags.toml"),
    ("coffee_dev.jsonl", DATA / "coffee_tags.toml"),
    ("clothing_dev.jsonl", DATA / "clothing_tags.toml"),
    ("jewelry_dev.jsonl", DATA / "jewelry_tags.toml"),
    ("pharmacy_dev.jsonl", DATA / "pharmacy_tags.toml"),
    ("spa_dev.jsonl", DATA / "spa_tags.toml"),
    ("electronics_dev.jsonl", DATA / "electronics_tags.toml"),
    ("cinema_dev.jsonl", DATA / "cinema_tags.toml"),
    ("bookstore_dev.jsonl", DATA / "bookstore_tags.toml"),
    ("english_dev.jsonl", DATA / "english_tags.toml"),
    ("golf_dev.jsonl", DATA / "golf_tags.toml"),
]


@pytest.mark.parametrize(("name", "rules_path"), SETS, ids=[name for name, _ in SETS])
def test_labelled_set_parses_with_known_tags(name: str, rules_path: Path) -> None:
    known = {rule.tag for rule in load_rules(rules_path).keyword_rules}
    texts = []
    for number, line in enumerate((DATA / name).read_text("utf-8").splitlines(), start=1):
        row = json.loads(line)
        assert set(row) == {"text", "tags"}, f"{name}:{number}: keys {sorted(row)}"
        assert isinstance(row["text"], str) and row["text"].strip(), f"{name}:{number}: empty text"
        assert set(row["tags"]) <= known, f"{name}:{number}: unknown tags {set(row['tags']) - known}"
        texts.append(row["text"])
    assert len(texts) == len(set(texts)), f"{name}: a message is there twice"
