"""``misto twin``: import, export, number, cluster and list the digital twin's layers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from misto.core.errors import MistoError
from misto.twin import importers, services, tiles
from misto.twin.models import Layer


class Command(BaseCommand):
    help = "The digital twin: import/export layers, number landmarks, print label sheets."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        imp = actions.add_parser("import", help="Import a GeoJSON, CSV, GeoPackage, Shapefile "
                                 "or other GDAL file into a layer (all rows or none).")
        imp.add_argument("file")
        imp.add_argument("--layer", required=True, help="the layer's code")
        imp.add_argument("--srs", help="CRS when the file declares none, e.g. EPSG:6386")
        imp.add_argument("--source-layer", help="which layer of a multi-layer file")
        imp.add_argument("--reason", default="", help="why (kept in the history)")
        imp.add_argument("--dry-run", action="store_true", help="validate only")
        imp.add_argument("--osm-filter", action="append", default=[],
                         help="OpenStreetMap files: keep features with this tag, e.g. "
                         "highway=* or amenity=school (repeatable; any may match)")
        exp = actions.add_parser("export", help="Write a layer as GeoJSON.")
        exp.add_argument("file")
        exp.add_argument("--layer", required=True)
        num = actions.add_parser("number", help="Give public numbers to a layer's landmarks.")
        num.add_argument("--layer", required=True)
        labels = actions.add_parser("labels", help="Write a PDF sheet of landmark labels.")
        labels.add_argument("file")
        labels.add_argument("--layer", required=True)
        labels.add_argument("--district", help="only this district prefix, e.g. 12")
        labels.add_argument("--base-url", default="http://127.0.0.1:8000/",
                            help="the site's address, for the QR codes")
        actions.add_parser("layers", help="List the layers.")
        actions.add_parser("cluster", help="PostGIS: order the features table by place, "
                           "after a large import (locks the table while it runs).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"do_{options['action']}")(options)
        except MistoError as error:
            raise CommandError(error.message, returncode=2) from error

    def do_import(self, options: dict[str, Any]) -> None:
        layer = services.get_layer(options["layer"])
        report = importers.import_file(
            options["file"], layer, srs=options["srs"], source_layer=options["source_layer"],
            reason=options["reason"], dry_run=options["dry_run"],
            osm_filters=options["osm_filter"],
        )
        if report.errors:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(
                _("%(errors)s error(s) in %(rows)s row(s); nothing was imported.")
                % {"errors": len(report.errors), "rows": report.rows},
                returncode=1,
            )
        if options["dry_run"]:
            self.stdout.write(_("%(rows)s row(s) are valid; nothing imported (--dry-run).")
                              % {"rows": report.rows})
        else:
            self.stdout.write(self.style.SUCCESS(
                _("imported %(count)s feature(s) into %(layer)s")
                % {"count": report.imported, "layer": layer.code}))

    def do_export(self, options: dict[str, Any]) -> None:
        layer = services.get_layer(options["layer"])
        count = importers.export_file(layer, options["file"])
        self.stdout.write(_("wrote %(count)s feature(s) of %(layer)s to %(file)s")
                          % {"count": count, "layer": layer.code, "file": options["file"]})

    def do_number(self, options: dict[str, Any]) -> None:
        layer = services.get_layer(options["layer"])
        result = services.number_layer(layer)
        self.stdout.write(_("numbered %(count)s feature(s) of %(layer)s")
                          % {"count": result.numbered, "layer": layer.code})
        if result.outside:
            self.stdout.write(_("%(count)s of them lie outside every district (prefix 00)")
                              % {"count": result.outside})

    def do_labels(self, options: dict[str, Any]) -> None:
        from misto.twin.labels import label_sheet  # reportlab loads only for a sheet

        layer = services.get_layer(options["layer"])
        pdf = label_sheet(layer, base_url=options["base_url"],
                          district_prefix=options["district"])
        Path(options["file"]).write_bytes(pdf)
        self.stdout.write(_("wrote %(file)s") % {"file": options["file"]})

    def do_layers(self, options: dict[str, Any]) -> None:
        for layer in Layer.objects.order_by("code"):
            self.stdout.write(f"{layer.code:<14} {layer.geometry_type:<16} "
                              f"{layer.visibility:<7} {layer.features.count():>7}  "
                              f"{layer.title_uk}")

    def do_cluster(self, options: dict[str, Any]) -> None:
        if tiles.cluster():
            self.stdout.write(_("features ordered by place (the tiles' index)"))
        else:
            self.stdout.write(_("nothing to do on SpatiaLite: its rows stay in rowid order"))
