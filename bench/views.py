"""The reference page: what a bare Django page costs on this server and database.

Five small queries, a 50-row table, a plain template without the portal's layout.
"""

from django.shortcuts import render

from programmes.models import Building, Lot, Programme


def reference(request):
    programme = Programme.objects.order_by("pk").first()
    lots = list(Lot.objects.filter(programme=programme).order_by("number")[:50])
    buildings = dict(Building.objects.filter(programme=programme).values_list("pk", "name"))
    available = Lot.objects.filter(programme=programme, status=Lot.Status.AVAILABLE).count()
    programmes = Programme.objects.count()
    rows = [(lot, buildings.get(lot.building_id, "")) for lot in lots]
    context = {"programme": programme, "rows": rows, "available": available, "programmes": programmes}
    return render(request, "bench/reference.html", context)
