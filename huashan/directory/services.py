"""State changes in the directory: roster import and residency verification.

Each service takes the acting person first, checks the permission, writes
inside one transaction, records an event row and queues notifications.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import (
    Building,
    Compound,
    Household,
    Person,
    Residency,
    ResidencyEvent,
)
from .roster import RosterError, RosterRow, roster_file_areas, roster_parse

ROSTER_IMPORT_VERB = "roster_import"


class ResidencyTransitionError(ValidationError):
    """The residency is not in a state from which this change is allowed."""


@dataclass
class RosterResult:
    """What an import did, or why it did nothing."""

    errors: list[RosterError] = field(default_factory=list)
    rows: int = 0
    buildings_created: int = 0
    households_created: int = 0
    people_created: int = 0
    people_updated: int = 0
    residencies_created: int = 0
    residencies_updated: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changed(self) -> bool:
        return any(
            (
                self.buildings_created,
                self.households_created,
                self.people_created,
                self.people_updated,
                self.residencies_created,
                self.residencies_updated,
            )
        )


def _file_size(file) -> int:
    size = getattr(file, "size", None)
    if size is not None:
        return size
    file.seek(0, 2)
    return file.tell()


def roster_import(*, actor: Person, compound: Compound, file) -> RosterResult:
    """Import households and residents of one compound from an .xlsx roster, all or nothing.

    Every row is validated (in the file, then against the database) before
    anything is written; one bad row means nothing is imported and every
    problem is reported with its Excel row number. Importing the same file
    again changes nothing. Imported residents are verified (the roster is
    staff data) and get an unusable password until they register or staff
    reset it. seed: 协同联动解决小区事务流程 第二条 (owners' assembly needs the
    owners' roll); 评议监督考核制度 第三条 (owners take part in scoring).
    """
    if not actor.has_perm("directory.import_roster", compound):
        raise PermissionDenied(gettext("You may not import the roster of this compound."))
    parsed = roster_parse(file, size=_file_size(file))
    result = RosterResult(errors=list(parsed.errors), rows=len(parsed.rows))
    if result.errors:
        # Report the database conflicts of the readable rows too, all in one go.
        if parsed.rows:
            _roster_check_households(
                parsed.rows,
                _households_by_address(compound),
                roster_file_areas(parsed.rows),
                result,
            )
        result.errors.sort(key=lambda error: error.row or 0)
        return result
    try:
        with transaction.atomic():
            # One import per compound at a time; a second waits and then sees our rows.
            Compound.objects.select_for_update().filter(pk=compound.pk).first()
            _roster_write(actor=actor, compound=compound, rows=parsed.rows, result=result)
            if result.errors:
                transaction.set_rollback(True)
    except IntegrityError:
        result.errors.append(
            RosterError(
                None,
                "",
                str(
                    _(
                        "Someone changed the same households at the same moment; "
                        "nothing was imported, please try again. / "
                        "有人同时修改了相同的房屋，本次未导入，请重试。"
                    )
                ),
            )
        )
    if result.errors:
        # Counts describe what was written; nothing was.
        result.errors.sort(key=lambda error: error.row or 0)
        return RosterResult(errors=result.errors, rows=result.rows)
    return result


def _households_by_address(compound: Compound) -> dict[tuple[str, str, str], Household]:
    return {
        (h.building.number, h.unit, h.room): h
        for h in Household.objects.filter(building__compound=compound).select_related("building")
    }


def _roster_write(
    *, actor: Person, compound: Compound, rows: list[RosterRow], result: RosterResult
) -> None:
    buildings = {b.number: b for b in Building.objects.filter(compound=compound)}
    households = _households_by_address(compound)
    file_areas = roster_file_areas(rows)
    _roster_check_households(rows, households, file_areas, result)
    mobiles = {row.mobile for row in rows if row.mobile}
    people = {p.mobile: p for p in Person.objects.filter(mobile__in=mobiles)}
    if result.errors:
        return

    new_buildings = []
    for number in sorted({key[0] for key in file_areas} - set(buildings)):
        building = Building(compound=compound, number=number)
        digits = "".join(ch for ch in number if ch.isdigit())
        building.sort_key = int(digits) if digits else 0
        new_buildings.append(building)
    Building.objects.bulk_create(new_buildings)
    result.buildings_created = len(new_buildings)
    buildings = {b.number: b for b in Building.objects.filter(compound=compound)}

    new_households = [
        Household(building=buildings[key[0]], unit=key[1], room=key[2], area=area)
        for key, area in file_areas.items()
        if key not in households
    ]
    Household.objects.bulk_create(new_households)
    result.households_created = len(new_households)
    if new_households:
        households = _households_by_address(compound)

    person_rows = [row for row in rows if row.has_person]
    unusable = make_password(None)
    new_people: dict[str, Person] = {}
    changed_people: list[Person] = []
    for row in person_rows:
        person = people.get(row.mobile)
        if person is None:
            if row.mobile not in new_people:
                new_people[row.mobile] = Person(mobile=row.mobile, name=row.name, password=unusable)
        elif person.name != row.name and person not in changed_people:
            person.name = row.name
            changed_people.append(person)
    Person.objects.bulk_create(new_people.values())
    Person.objects.bulk_update(changed_people, ["name"])
    result.people_created = len(new_people)
    result.people_updated = len(changed_people)
    people = {p.mobile: p for p in Person.objects.filter(mobile__in=mobiles)}

    _roster_write_residencies(actor, compound, person_rows, households, people, result)


def _roster_check_households(rows, households, file_areas, result: RosterResult) -> None:
    reported: set[tuple[str, str, str]] = set()
    for row in rows:
        key = row.household_key
        existing = households.get(key)
        if existing is None:
            if key not in file_areas and key not in reported:
                reported.add(key)
                result.errors.append(
                    RosterError(
                        row.row,
                        "面积 / area",
                        str(
                            _(
                                "This household is new; give its floor area. / "
                                "该户为新登记房屋，请填写面积。"
                            )
                        ),
                    )
                )
        elif row.area is not None and row.area != existing.area:
            result.errors.append(
                RosterError(
                    row.row,
                    "面积 / area",
                    str(
                        _(
                            "The portal already records %(area)s m² for this household; "
                            "correct the file or ask an administrator to fix the record. / "
                            "系统中该户面积为%(area)s平方米，与文件不一致；请更正文件或联系管理员。"
                        )
                        % {"area": existing.area}
                    ),
                    str(row.area),
                )
            )


def _roster_write_residencies(actor, compound, person_rows, households, people, result) -> None:
    pairs = {(people[row.mobile].pk, households[row.household_key].pk): row for row in person_rows}
    # All residencies of the compound: bounded by its size, and one indexed join
    # (two 20,000-item IN lists make SQLite's planner crawl).
    of_compound = Residency.objects.filter(household__building__compound=compound)
    existing = {(r.person_id, r.household_id): r for r in of_compound}
    now = timezone.now()
    verified = Residency.Status.VERIFIED
    new_residencies: list[Residency] = []
    changed: list[tuple[Residency, str, str]] = []
    for (person_id, household_id), row in pairs.items():
        residency = existing.get((person_id, household_id))
        if residency is None:
            new_residencies.append(
                Residency(
                    person_id=person_id,
                    household_id=household_id,
                    relation=row.relation,
                    status=verified,
                    verified_at=now,
                )
            )
            continue
        if residency.status == verified and residency.relation == row.relation:
            continue
        old_state = residency.status
        note = ""
        if residency.relation != row.relation:
            note = f"relation {residency.relation} -> {row.relation}"
        residency.relation = row.relation
        if residency.status != verified:
            residency.status = verified
            residency.verified_at = now
        changed.append((residency, old_state, note))

    Residency.objects.bulk_create(new_residencies)
    Residency.objects.bulk_update(
        [residency for residency, _old, _note in changed], ["relation", "status", "verified_at"]
    )
    result.residencies_created = len(new_residencies)
    result.residencies_updated = len(changed)

    created = of_compound.only("pk", "person_id", "household_id") if new_residencies else []
    new_keys = {(r.person_id, r.household_id) for r in new_residencies}
    events = [
        ResidencyEvent(
            residency=residency,
            actor=actor,
            at=now,
            verb=ROSTER_IMPORT_VERB,
            from_state="",
            to_state=verified,
        )
        for residency in created
        if (residency.person_id, residency.household_id) in new_keys
    ]
    events += [
        ResidencyEvent(
            residency=residency,
            actor=actor,
            at=now,
            verb=ROSTER_IMPORT_VERB,
            from_state=old_state,
            to_state=residency.status,
            note=note,
        )
        for residency, old_state, note in changed
    ]
    ResidencyEvent.objects.bulk_create(events)


def _residency_transition(
    *, actor: Person, residency: Residency, target: str, verb: str, note: str
) -> Residency:
    compound = residency.household.building.compound
    if not actor.has_perm("directory.verify_residency", compound):
        raise PermissionDenied(gettext("You may not verify residents of this compound."))
    with transaction.atomic():
        locked = (
            Residency.objects.select_for_update()
            .select_related("person", "household__building")
            .get(pk=residency.pk)
        )
        old_state = locked.status
        if target not in Residency.TRANSITIONS.get(old_state, set()):
            raise ResidencyTransitionError(
                _("This registration is already “%(status)s”; it cannot change that way.")
                % {"status": locked.get_status_display()},
                code="invalid_transition",
            )
        locked.status = target
        locked.verified_at = timezone.now() if target == Residency.Status.VERIFIED else None
        locked.save(update_fields=["status", "verified_at"])
        ResidencyEvent.objects.create(
            residency=locked,
            actor=actor,
            verb=verb,
            from_state=old_state,
            to_state=target,
            note=note,
        )
        _residency_notify(residency=locked, note=note)
    residency.status = locked.status
    residency.verified_at = locked.verified_at
    return locked


def _residency_notify(*, residency: Residency, note: str) -> None:
    try:
        from huashan.notify.services import notification_create
    except ImportError:  # the notify app is optional for the directory
        return
    household = residency.household
    if residency.status == Residency.Status.VERIFIED:
        subject = gettext("Your residency at %(household)s is verified") % {"household": household}
        body = gettext(
            "Staff verified your registration for %(household)s. "
            "You can now take part as a resident."
        ) % {"household": household}
    else:
        subject = gettext("Your residency at %(household)s was not accepted") % {
            "household": household
        }
        body = gettext(
            "Staff did not accept your registration for %(household)s. Reason: %(note)s"
        ) % {
            "household": household,
            "note": note,
        }
    notification_create(recipient=residency.person, channel="inbox", subject=subject, body=body)


def residency_verify(*, actor: Person, residency: Residency, note: str = "") -> Residency:
    """Staff confirm a person lives in (or owns) the household.

    Only verified owners count in owners' votes and the democratic scoring
    (seed: 评议监督考核制度 第三条).
    """
    return _residency_transition(
        actor=actor,
        residency=residency,
        target=Residency.Status.VERIFIED,
        verb="verify",
        note=note.strip(),
    )


def residency_reject(*, actor: Person, residency: Residency, note: str) -> Residency:
    """Staff refuse a registration; the reason is required and sent to the person."""
    note = (note or "").strip()
    if not note:
        raise ValidationError(
            _("Give the reason for rejecting, so the resident knows what to fix."),
            code="required",
        )
    return _residency_transition(
        actor=actor,
        residency=residency,
        target=Residency.Status.REJECTED,
        verb="reject",
        note=note,
    )
