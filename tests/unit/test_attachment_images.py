"""Uploaded pictures as the office will see them: checked by content, turned upright, shrunk,
thumbnailed, dated and placed from EXIF; the flags 拍摄时间不符 and 疑似重复."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from PIL import Image

from tests.photos import PDF_WITH_JAVASCRIPT, bomb_png, jpeg, png, site_picture
from tracker.files import flags, imaging
from tracker.files.flags import PhotoFacts


def test_a_phone_photo_is_turned_upright_shrunk_to_2048_and_thumbnailed():
    # A 3000×2000 picture stored sideways with "rotate 90°" in EXIF (orientation 6).
    data = jpeg(site_picture(1, (3000, 2000)), taken=datetime(2026, 3, 14, 9, 30),
                orientation=6, gps=(31.2417, 121.4750))
    done = imaging.process(data)
    assert done.kind == "image" and done.content_type == "image/jpeg"
    assert (done.width, done.height) == (1365, 2048)  # upright: portrait, long side 2048
    full = Image.open(io.BytesIO(done.content))
    assert full.format == "JPEG" and full.size == (1365, 2048)
    thumb = Image.open(io.BytesIO(done.thumbnail))
    assert max(thumb.size) == 320
    assert done.taken_at == datetime(2026, 3, 14, 9, 30)
    assert abs(float(done.latitude) - 31.2417) < 0.001 and abs(float(done.longitude) - 121.475) < 0.001
    assert len(done.sha256) == 64 and len(done.phash) == 16


def test_png_webp_and_heic_are_accepted_by_content_whatever_their_name():
    picture = site_picture(2, (800, 600))
    webp = io.BytesIO()
    picture.save(webp, "WEBP")
    heic = io.BytesIO()
    picture.save(heic, "HEIF")
    for data in (png(picture), webp.getvalue(), heic.getvalue()):
        done = imaging.process(data, images_only=True)
        assert done.content_type == "image/jpeg" and done.taken_at is None


def test_a_text_file_named_jpg_is_refused():
    with pytest.raises(imaging.BadUpload, match="无法识别的图片"):
        imaging.process("这不是图片".encode() * 100, images_only=True)


def test_a_file_over_20_mb_is_refused_before_decoding():
    with pytest.raises(imaging.BadUpload, match="20 MB"):
        imaging.process(b"\xff\xd8" + b"\0" * (21 * 1024 * 1024))


def test_a_decompression_bomb_is_refused():
    with pytest.raises(imaging.BadUpload, match="解压炸弹"):
        imaging.process(bomb_png())


def test_a_pdf_is_kept_byte_for_byte_as_evidence_but_not_as_a_photo():
    done = imaging.process(PDF_WITH_JAVASCRIPT)
    assert done.kind == "pdf" and done.content == PDF_WITH_JAVASCRIPT and done.thumbnail is None
    with pytest.raises(imaging.BadUpload):
        imaging.process(PDF_WITH_JAVASCRIPT, images_only=True)


def test_capture_time_outside_the_month_plus_or_minus_seven_days_is_flagged():
    assert not flags.capture_time_mismatch(None, 2026, 3)
    assert not flags.capture_time_mismatch(datetime(2026, 2, 22), 2026, 3)  # 7 days before
    assert flags.capture_time_mismatch(datetime(2026, 2, 21, 23, 59), 2026, 3)
    assert not flags.capture_time_mismatch(datetime(2026, 4, 7, 23, 0), 2026, 3)  # 7 days after
    assert flags.capture_time_mismatch(datetime(2026, 4, 8), 2026, 3)
    assert not flags.capture_time_mismatch(datetime(2026, 1, 7), 2025, 12)  # over the year end


def _phash(data: bytes) -> str:
    return imaging.process(data).phash


def test_a_resaved_or_resized_copy_is_a_suspected_duplicate_another_picture_is_not():
    original = site_picture(3)
    first = _phash(jpeg(original, quality=92))
    resaved = _phash(jpeg(original, quality=60))
    resized = _phash(png(original.resize((640, 480))))
    other = _phash(jpeg(site_picture(4)))
    assert flags.near_duplicate(first, resaved)
    assert flags.near_duplicate(first, resized)
    assert not flags.near_duplicate(first, other)
    assert flags.hash_distance(first, other) > flags.DUPLICATE_DISTANCE


def test_flags_compare_only_with_other_months_of_the_project():
    march = PhotoFacts(1, 2026, 3, datetime(2026, 1, 2), "ffff0000ffff0000")
    same_month = PhotoFacts(2, 2026, 3, None, "ffff0000ffff0000")
    assert flags.flags_of(march, [march, same_month]) == [flags.WRONG_TIME]
    april = PhotoFacts(3, 2026, 4, datetime(2026, 4, 3), "ffff0000ffff0001")
    assert flags.flags_of(april, [march, april]) == [flags.DUPLICATE]
