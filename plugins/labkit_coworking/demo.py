"""Sample data for ``labkit demo``: two spaces in São Paulo, bookings and the "Residência Maker"."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from labkit.demo import demo_resident, sample_pictures
from labkit.models import Person
from labkit.timezones import local_to_utc, now

from labkit_coworking import rules
from labkit_coworking.models import Application, Booking, Closure, Member, Programme, Resource, Space

GUIDELINES = """\
**Boas-vindas ao espaço!** Para que todas as pessoas possam trabalhar bem:

1. Chegue no horário reservado e libere o lugar no fim da reserva.
2. Mantenha o silêncio nas estações de trabalho; chamadas e reuniões, só nas salas.
3. Equipamentos (impressoras 3D, cortadora) só com a formação básica da equipe do laboratório.
4. Deixe a mesa limpa e separe o lixo reciclável.
5. Respeite a diversidade: assédio e discriminação levam ao cancelamento do acesso.
"""

HOLIDAYS = [(1, 25, "Aniversário de São Paulo"), (4, 21, "Tiradentes"), (5, 1, "Dia do Trabalho"),
            (7, 9, "Revolução Constitucionalista"), (9, 7, "Independência"), (10, 12, "Nossa Senhora Aparecida"),
            (11, 2, "Finados"), (11, 15, "Proclamação da República"), (11, 20, "Dia da Consciência Negra"),
            (12, 25, "Natal")]


def _hours(weekdays: str, saturday: str = "") -> dict[str, list[list[int]]]:
    hours = {day: rules.parse_intervals(weekdays) for day in range(5)}
    if saturday:
        hours[5] = rules.parse_intervals(saturday)
    return rules.hours_to_json(hours)


async def _person(name: str, email: str) -> Person:
    return await demo_resident(name, email, "pt-BR")


def _next_weekday(start: date, weekday: int) -> date:
    return start + timedelta(days=(weekday - start.weekday()) % 7 or 7)


async def load(settings: Any) -> None:
    """Create the sample records (only when the lab has no space yet)."""
    if await Space.exists():
        return
    zone = settings.lab.timezone
    today = rules.to_local(now(), zone).date()

    centro = await Space.create(
        name="Pátio Digital — Centro", address="Rua Líbero Badaró, 425 — Centro, São Paulo — SP",
        latitude=-23.5458, longitude=-46.6358, quota_hours_per_week=20, opening_hours=_hours("09:00-18:00", "10:00-14:00"),
        description="Espaço de coworking da prefeitura para jovens, startups e coletivos que desenvolvem projetos "
                    "de inovação pública. Wi-Fi, café e a equipe do laboratório por perto.",
        accessibility="Entrada sem degraus pela Rua Líbero Badaró, elevador até o 3º andar, banheiro acessível e "
                      "piso tátil. Estação de metrô São Bento a 300 m.",
        guidelines=GUIDELINES, amenities="Wi-Fi\nCafé e água\nArmários\nProjetor na sala de reuniões\nBicicletário")
    vergueiro = await Space.create(
        name="Fab Lab Livre — Vergueiro", address="Rua Vergueiro, 1000 — Paraíso, São Paulo — SP",
        latitude=-23.5713, longitude=-46.6394, quota_hours_per_week=12, opening_hours=_hours("10:00-19:00", "10:00-16:00"),
        description="Laboratório de fabricação digital aberto: impressão 3D, corte a laser e bancadas para "
                    "prototipagem. Oficinas gratuitas toda semana.",
        accessibility="Acesso por rampa, elevador, banheiro acessível. Estação Vergueiro do metrô em frente.",
        guidelines=GUIDELINES, amenities="Wi-Fi\nFerramentas manuais\nMaterial de prototipagem básico")

    desks = await Resource.create(space=centro, name="Estações de trabalho", kind="desk", capacity=12,
                                  description="Mesas compartilhadas com tomada e luminária.", max_length_minutes=9 * 60,
                                  min_notice_minutes=30, max_days_ahead=30)
    room = await Resource.create(space=centro, name="Sala de reuniões Paulo Freire", kind="room", capacity=8,
                                 exclusive=True, auto_approve=False, max_length_minutes=3 * 60, min_notice_minutes=24 * 60,
                                 description="Mesa para 8 pessoas, TV e quadro branco.")
    printer = await Resource.create(space=vergueiro, name="Impressora 3D Prusa MK4", kind="equipment", capacity=1,
                                    exclusive=True, auto_approve=False, max_length_minutes=4 * 60,
                                    min_notice_minutes=24 * 60, description="PLA e PETG. Exige a formação básica.")
    benches = await Resource.create(space=vergueiro, name="Bancadas de prototipagem", kind="desk", capacity=10,
                                    max_length_minutes=6 * 60)

    await sample_pictures(settings, "photo", [(space, space.name, f"Imagem com as iniciais de {space.name}")
                                              for space in (centro, vergueiro)], size=(640, 360))
    for space in (centro, vergueiro):
        for year in (today.year, today.year + 1):
            for month, day, reason in HOLIDAYS:
                holiday = date(year, month, day)
                if today - timedelta(days=60) <= holiday <= today + timedelta(days=365):
                    await Closure.create(space=space, first_day=holiday, last_day=holiday, reason=reason)

    ana = await _person("Ana Souza", "ana.souza@demo.lab")
    bruno = await _person("Bruno Oliveira", "bruno.oliveira@demo.lab")
    carla = await _person("Carla Santos", "carla.santos@demo.lab")
    closed = {(c.space_id, c.first_day) for c in await Closure.all()}

    def at(day: date, hour: int) -> datetime:
        return local_to_utc(datetime.combine(day, time(hour)), zone)

    async def booking(resource: Resource, person: Person, day: date, first: int, last: int, purpose: str,
                      status: str = "approved", attendees: int = 1) -> None:
        if (resource.space_id, day) in closed:
            return
        await Booking.create(resource=resource, person=person, start=at(day, first), end=at(day, last), status=status,
                             purpose=purpose, attendees=attendees, guidelines_accepted_at=now(),
                             decided_at=now() if status != "pending" else None)

    for weeks_ago in range(1, 9):  # past use, for the utilisation report
        monday = today - timedelta(days=today.weekday() + 7 * weeks_ago)
        await booking(desks, ana, monday, 9, 17, "Desenvolvimento do app de coleta seletiva")
        await booking(desks, bruno, monday + timedelta(days=2), 10, 16, "Análise de dados de mobilidade")
        await booking(room, carla, monday + timedelta(days=3), 14, 16, "Reunião do coletivo Periferia Conectada",
                      attendees=6)
        await booking(printer, bruno, monday + timedelta(days=1), 10, 13, "Protótipo de sensor de enchente",
                      status="approved" if weeks_ago % 3 else "no_show")
        await booking(benches, carla, monday + timedelta(days=4), 10, 15, "Oficina de eletrônica", attendees=4)
    tuesday, thursday = _next_weekday(today, 1), _next_weekday(today, 3)
    await booking(desks, ana, tuesday, 9, 17, "Desenvolvimento do app de coleta seletiva")
    await booking(desks, bruno, tuesday, 13, 18, "Mapeamento de ciclovias")
    await booking(room, carla, thursday, 10, 12, "Planejamento do hackathon de dados abertos", status="pending",
                  attendees=7)
    await booking(printer, ana, thursday, 14, 17, "Peças do protótipo de composteira", status="pending")

    programme = await Programme.create(
        title="Residência Maker", kind="residency", space=vergueiro, places=4,
        call_opens=today - timedelta(days=20), call_closes=today + timedelta(days=15),
        cohort_start=today + timedelta(days=30), cohort_end=today + timedelta(days=120),
        description="Quatro meses de residência no Fab Lab Livre para equipes que querem transformar uma ideia "
                    "em protótipo de serviço público: acesso às máquinas, mentoria semanal da equipe do laboratório "
                    "e apresentação final para as secretarias municipais.\n\n"
                    "**Quem pode se inscrever:** coletivos, startups e grupos de jovens de 16 a 29 anos.")
    selected = await Application.create(
        programme=programme, applicant=carla, project_title="Composteira comunitária monitorada",
        project_description="Sensores de baixo custo para acompanhar a compostagem em hortas comunitárias da zona "
                            "leste e painel aberto com os dados.", status="selected", decided_at=now())
    await Member.create(application=selected, person=carla, name=carla.name)
    await Member.create(application=selected, name="Diego Ferreira", email="")
    waiting = await Application.create(
        programme=programme, applicant=bruno, project_title="Sensor de enchente para córregos",
        project_description="Rede de sensores e alertas por SMS para moradores de áreas de risco de alagamento.")
    await Member.create(application=waiting, person=bruno, name=bruno.name)
    await Member.create(application=waiting, person=ana, name=ana.name, email=ana.email)
