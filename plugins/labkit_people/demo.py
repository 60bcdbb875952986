"""The demo's network: the lab's list of skills and interests and a dozen published profiles of
the demo's residents (the same people who vote, book and form teams in the other modules)."""

from __future__ import annotations

from datetime import timedelta

from labkit.demo import sample_people
from labkit.timezones import now

from labkit_people.models import Profile, Topic
from labkit_people.rules import search_text, stored_tags

TOPICS = {
    "gis": {"pt-BR": "Geoprocessamento (SIG)", "es": "SIG", "fr": "SIG", "en": "GIS"},
    "data-science": {"pt-BR": "Ciência de dados", "es": "Ciencia de datos", "fr": "Science des données", "en": "Data science"},
    "python": {"pt-BR": "Python", "es": "Python", "fr": "Python", "en": "Python"},
    "ux-design": {"pt-BR": "Design de serviços", "es": "Diseño de servicios", "fr": "Design de services", "en": "Service design"},
    "open-data": {"pt-BR": "Dados abertos", "es": "Datos abiertos", "fr": "Données ouvertes", "en": "Open data"},
    "urban-mobility": {"pt-BR": "Mobilidade urbana", "es": "Movilidad urbana", "fr": "Mobilité urbaine", "en": "Urban mobility"},
    "electronics": {"pt-BR": "Eletrônica", "es": "Electrónica", "fr": "Électronique", "en": "Electronics"},
    "community": {"pt-BR": "Mobilização comunitária", "es": "Movilización comunitaria", "fr": "Mobilisation citoyenne", "en": "Community organising"},
    "web": {"pt-BR": "Desenvolvimento web", "es": "Desarrollo web", "fr": "Développement web", "en": "Web development"},
    "education": {"pt-BR": "Educação", "es": "Educación", "fr": "Éducation", "en": "Education"},
}

# region, skills, interests, tags, looking for a team, bio
PROFILES = (
    ("zona-leste", ["gis", "python"], ["urban-mobility"], ["qgis", "mapas"], True,
     "Mapeio as linhas de ônibus de Itaquera com QGIS e dados abertos da SPTrans."),
    ("zona-sul", ["community", "education"], ["open-data"], ["periferia"], False,
     "Educadora popular no Capão Redondo; ensino jovens a usar dados do bairro."),
    ("zona-oeste", ["data-science", "python"], ["gis"], ["pandas"], True,
     "Cientista de dados; quero aprender geoprocessamento para projetos de mobilidade."),
    ("zona-norte", ["electronics"], ["education"], ["arduino", "sensores"], False,
     "Monto sensores de qualidade do ar com Arduino na Brasilândia."),
    ("centro", ["ux-design"], ["community"], ["design"], True,
     "Designer de serviços públicos; já redesenhei o agendamento de uma UBS."),
    ("zona-leste", ["web", "open-data"], ["gis"], ["django"], False,
     "Desenvolvedor web em São Mateus, contribuo com portais de dados abertos."),
    ("zona-sul", ["gis", "open-data"], ["community"], ["osm"], True,
     "Mapeadora do OpenStreetMap; organizo mapatonas no Grajaú."),
    ("zona-oeste", ["urban-mobility"], ["data-science"], ["bicicleta"], False,
     "Cicloativista e pesquisador de mobilidade urbana no Butantã."),
    ("zona-leste", ["education", "community"], ["web"], ["juventude"], True,
     "Coordeno um cursinho popular em Guaianases e quero criar o site dele."),
    ("centro", ["python", "web"], ["open-data"], ["api"], False,
     "Programador de APIs públicas; mantenho um robô que lê o Diário Oficial."),
    ("zona-norte", ["ux-design", "web"], ["education"], ["acessibilidade"], True,
     "Trabalho com acessibilidade digital e leitores de tela."),
    ("zona-sul", ["data-science"], ["urban-mobility"], ["r"], False,
     "Analiso dados de saúde pública com R na zona sul."),
)


async def load() -> None:
    """The lab's list and a dozen published profiles (only into an empty network)."""
    if await Topic.exists():
        return
    topics = {key: await Topic.create(key=key, names=names) for key, names in TOPICS.items()}
    people = await sample_people(len(PROFILES))
    for days, (person, (region, skills, interests, tags, looking, bio)) in enumerate(zip(people, PROFILES, strict=True)):
        chosen, wanted = [topics[key] for key in skills], [topics[key] for key in interests]
        profile = Profile(person=person, name=person.name, bio=bio, region=region, tags=stored_tags(tags),
                          links=[f"https://example.org/{person.email.split('@')[0]}"], looking_for_team=looking,
                          published=True, published_at=now() - timedelta(days=30 + days * 20))
        profile.search_text = search_text(profile, [*chosen, *wanted])
        await profile.save()
        await profile.skills.add(*chosen)
        await profile.interests.add(*wanted)
