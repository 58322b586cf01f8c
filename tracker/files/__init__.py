"""Files (附件): uploaded photos and evidence kept in the database (DESIGN.md section 14).

Layout, lowest first:

- ``imaging`` (pure core): bytes in, plain values out. Decides the type from the content
  (Pillow, pillow-heif; PDF by its header), applies EXIF orientation, re-encodes JPEG with a
  long side of at most 2048 px, makes the 320 px thumbnail, reads capture time and GPS,
  computes SHA-256 and the perceptual hash. No Flask, no database.
- ``flags`` (pure core): 拍摄时间不符 and 疑似重复, from plain values.
- ``models``, ``service`` (domain, right above auth): the one ``files`` table and its writers.
  A file's owner is generic, ``(owner_kind, owner_id)`` plus the project and month it is
  about, so this package imports nothing of reports or issues. Who may read or remove a
  file is decided by the domain that owns the row: ``tracker.attachments``, which also holds
  the routes (``/files/<id>``, upload forms on report rows and issue log entries).
"""
