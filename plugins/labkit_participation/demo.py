"""Demo data: two consultations of São Paulo in Portuguese, one on school meals (in its support
phase, with a past hearing and a survey) and one on a public square (open for proposals, with a
hearing ahead)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from labkit.demo import demo_resident
from labkit.models import Person
from labkit.timezones import now

from labkit_participation.models import (
    Answer,
    Comment,
    Follow,
    Meeting,
    Process,
    Proposal,
    Question,
    Registration,
    Support,
    Survey,
    SurveyResponse,
)

PEOPLE = [
    ("Ana Souza", "ana.souza@demo.lab"), ("Bruno Oliveira", "bruno.oliveira@demo.lab"),
    ("Carla Mendes", "carla.mendes@demo.lab"), ("Diego Santos", "diego.santos@demo.lab"),
    ("Elaine Costa", "elaine.costa@demo.lab"), ("Fábio Lima", "fabio.lima@demo.lab"),
    ("Gabriela Rocha", "gabriela.rocha@demo.lab"), ("Heitor Alves", "heitor.alves@demo.lab"),
]

MEALS_PROPOSALS = [
    ("Frutas da agricultura familiar todos os dias",
     "Servir fruta fresca da agricultura familiar da região em todas as refeições, comprando de cooperativas "
     "do cinturão verde de Parelheiros.", "Cardápio", "accepted",
     "A Secretaria de Educação ampliará a compra da agricultura familiar para 40% do total a partir do próximo "
     "semestre, com fruta diária nas escolas de ensino fundamental."),
    ("Cardápio vegetariano uma vez por semana",
     "Oferecer um dia por semana com cardápio vegetariano equilibrado, com orientação de nutricionistas, "
     "para reduzir o desperdício e apresentar novos alimentos às crianças.", "Cardápio", "under_study",
     "A proposta está em estudo pela equipe de nutrição, que fará um piloto em 20 escolas antes de decidir."),
    ("Refeitório aberto nas férias escolares",
     "Manter alguns refeitórios abertos durante as férias para que as crianças que dependem da merenda "
     "continuem tendo pelo menos uma refeição completa por dia.", "Acesso", None, ""),
    ("Horta pedagógica em cada escola",
     "Criar hortas nas escolas com participação dos estudantes, usando o que é colhido na merenda e nas aulas "
     "de ciências.", "Educação alimentar", "rejected",
     "Não há espaço adequado na maioria das unidades; a Secretaria apoiará hortas onde o conselho escolar pedir."),
]

SQUARE_PROPOSALS = [
    ("Bebedouros e sombra perto do parquinho",
     "Instalar bebedouros e plantar árvores de copa larga ao redor do parquinho, onde as famílias ficam no sol.",
     "Mobiliário", "Praça da Sé — lado da Rua Direita", -23.5503, -46.6339),
    ("Iluminação para caminhar à noite",
     "Trocar as lâmpadas por LED e iluminar os caminhos internos para que a praça seja usada com segurança "
     "depois das 18h.", "Segurança", "Caminhos internos", None, None),
    ("Feira de artesanato aos sábados",
     "Reservar um espaço para uma feira de artesanato e comida de rua aos sábados, com prioridade para "
     "moradores do bairro.", "Cultura", "", None, None),
]


async def _people() -> list[Person]:
    return [await demo_resident(name, email, "pt-BR") for name, email in PEOPLE]


async def create(settings: Any) -> None:
    """Create the two consultations (once: nothing happens when they exist)."""
    if await Process.filter(title__startswith="Merenda escolar").exists():
        return
    people = await _people()
    staff = await Person.filter(role__in=["admin", "staff"]).first()
    moment = now().replace(minute=0, second=0, microsecond=0)
    day = timedelta(days=1)

    meals = await Process.create(
        title="Merenda escolar: o que deve mudar no cardápio?",
        summary="Consulta sobre a alimentação nas escolas municipais de ensino fundamental.",
        description="A rede municipal serve **mais de 2 milhões de refeições por dia**. Queremos ouvir estudantes, "
                    "famílias, merendeiras e nutricionistas sobre o cardápio, o acesso e a educação alimentar.\n\n"
                    "1. Informação: leia o diagnóstico da merenda.\n2. Propostas: envie suas ideias.\n"
                    "3. Apoios: cada pessoa pode apoiar até 3 propostas.\n4. Resultados: a Secretaria responde.",
        topic="Educação", categories=["Cardápio", "Acesso", "Educação alimentar"],
        information_starts_at=moment - 40 * day, proposals_starts_at=moment - 30 * day,
        support_starts_at=moment - 5 * day, results_starts_at=moment + 10 * day, support_limit=3, published=True,
        created_by=staff)
    square = await Process.create(
        title="Praça do bairro: como queremos usar o espaço público?",
        summary="Proposta participativa para a requalificação da praça.",
        description="A Subprefeitura vai reformar a praça. Antes do projeto, queremos saber **como a vizinhança "
                    "usa a praça** e o que falta: sombra, iluminação, brinquedos, espaço para cultura.",
        topic="Espaço público", categories=["Mobiliário", "Segurança", "Cultura"],
        information_starts_at=moment - 10 * day, proposals_starts_at=moment - 3 * day,
        support_starts_at=moment + 20 * day, results_starts_at=moment + 35 * day, published=True, created_by=staff)

    for index, (title, body, category, status, answer) in enumerate(MEALS_PROPOSALS):
        proposal = await Proposal.create(process=meals, author=people[index], title=title, body=body, category=category)
        if status:
            await proposal.update_from_dict({"answer_status": status, "answer_text": answer, "answered_at": moment,
                                             "answered_by_id": staff.id if staff else None}).save()
        for supporter in people[index:6 - index]:  # 6, 4, 2 and 0 supports, 3 at most per person
            await Support.get_or_create(proposal=proposal, process=meals, person=supporter)
        await Follow.get_or_create(process=meals, person=people[index])
    for index, (title, body, category, location, lat, lon) in enumerate(SQUARE_PROPOSALS):
        await Proposal.create(process=square, author=people[index + 4], title=title, body=body, category=category,
                              location=location, latitude=lat, longitude=lon)
        await Follow.get_or_create(process=square, person=people[index + 4])

    first = await Proposal.filter(process=meals).order_by("id").first()
    parent = await Comment.create(process=meals, proposal=first, author=people[5],
                                  body="Na escola do meu filho a fruta chega verde. Precisa de logística melhor.")
    await Comment.create(process=meals, proposal=first, author=people[0], parent=parent,
                         body="Concordo! Poderia haver entrega duas vezes por semana.")
    await Comment.create(process=square, author=people[6],
                         body="Seria bom ter uma audiência no sábado de manhã para quem trabalha durante a semana.")

    await Meeting.create(process=meals, kind="hearing", title="Audiência pública sobre a merenda escolar",
                         starts_at=moment - 20 * day + timedelta(hours=1), ends_at=moment - 20 * day + timedelta(hours=3),
                         place="Câmara Municipal de São Paulo — Viaduto Jacareí, 100", seats=200,
                         agenda="1. Apresentação do diagnóstico\n2. Falas inscritas\n3. Encaminhamentos",
                         minutes="Participaram estudantes, merendeiras e conselheiros. Principais pontos: fruta fresca, "
                                 "cardápio regional e refeitórios nas férias.", attendance_count=87)
    hearing = await Meeting.create(process=square, kind="hearing", title="Audiência pública: o futuro da praça",
                                   starts_at=moment + 6 * day + timedelta(hours=2),
                                   ends_at=moment + 6 * day + timedelta(hours=4),
                                   place="Escola Estadual do bairro — quadra coberta",
                                   online_url="https://www.youtube.com/@prefeiturasp", seats=120,
                                   agenda="1. Apresentação da Subprefeitura\n2. Propostas recebidas\n3. Perguntas")
    for person in people[:5]:
        await Registration.get_or_create(meeting=hearing, person=person)

    survey = await Survey.create(process=meals, title="Como é a merenda na sua escola?",
                                 description="Três perguntas rápidas. As respostas são publicadas só em números.")
    q1 = await Question.create(survey=survey, position=0, kind="single", text="Com que frequência você come a merenda?",
                               options=["Todos os dias", "Algumas vezes por semana", "Raramente"])
    q2 = await Question.create(survey=survey, position=1, kind="multiple", text="O que deveria melhorar?",
                               options=["Variedade", "Temperatura", "Quantidade", "Frutas e verduras"])
    q3 = await Question.create(survey=survey, position=2, kind="text", text="Algum comentário?", required=False)
    answers = [("Todos os dias", ["Variedade", "Frutas e verduras"]), ("Algumas vezes por semana", ["Temperatura"]),
               ("Todos os dias", ["Frutas e verduras"]), ("Raramente", ["Variedade", "Quantidade"])]
    for person, (often, better) in zip(people[2:6], answers, strict=True):
        response = await SurveyResponse.create(survey=survey, person=person)
        await Answer.create(response=response, question=q1, choices=[often])
        await Answer.create(response=response, question=q2, choices=better)
        await Answer.create(response=response, question=q3, text="")
