"""client_sale_page gives a sale to whom sales_visible_to gives it, and to nobody else."""

import pytest

from portal.users.roles import Role
from sales.models import Sale
from sales.selectors import client_sale_page, sales_visible_to
from tests.conftest import make_user
from tests.space import factories

pytestmark = pytest.mark.django_db


def test_its_buyers_notaries_and_partners_get_the_sale_with_its_parties(
    anna, piotr, anna_sale, notary, partner
):
    for user in (anna.user, piotr.user, notary, partner):
        page = client_sale_page(user, anna_sale.pk)

        assert page.sale == anna_sale
        assert [link.lot.number for link in page.lots] == sorted(link.lot.number for link in page.lots)
        assert page.buyers[0].is_main and {link.buyer for link in page.buyers} == {anna, piotr}
        assert {assignment.user for assignment in page.assignments} == {notary, partner}


def test_anyone_else_gets_no_sale(boris, anna_sale, boris_sale, other_notary):
    for user in (boris.user, other_notary):
        with pytest.raises(Sale.DoesNotExist):
            client_sale_page(user, anna_sale.pk)
    with pytest.raises(Sale.DoesNotExist):
        client_sale_page(boris.user, 999_999)


def test_a_deactivated_buyer_gets_no_sale(anna, anna_sale):
    anna.user.is_active = False
    anna.user.save()

    with pytest.raises(Sale.DoesNotExist):
        client_sale_page(anna.user, anna_sale.pk)


def test_staff_follow_the_programme_rule_of_sales_visible_to(advisor, anna_sale):
    outsider = make_user("outsider@example.test", role=Role.SALES)
    other = factories.ProgrammeFactory(name="Elsewhere", code="ELS")
    other.staff.add(outsider)

    assert client_sale_page(advisor, anna_sale.pk).sale == anna_sale
    with pytest.raises(Sale.DoesNotExist):
        client_sale_page(outsider, anna_sale.pk)
    assert not sales_visible_to(outsider).filter(pk=anna_sale.pk).exists()


def test_a_staff_member_who_is_also_a_buyer_elsewhere_gets_only_his_programmes(advisor, programme):
    """The party check is for the client space's users; staff keep the programme rule."""
    elsewhere = factories.ProgrammeFactory(name="Elsewhere", code="ELS")
    buyer = factories.buyer_with_login("staffbuyer@example.test")
    sale = factories.sale_make(elsewhere, factories.lots_make(elsewhere, 1), [buyer])
    buyer.user = advisor
    buyer.save()

    with pytest.raises(Sale.DoesNotExist):
        client_sale_page(advisor, sale.pk)
