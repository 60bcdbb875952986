from labkit.testing import RunningLab


async def test_smoke(map_lab: RunningLab) -> None:
    from labkit_mapping import demo
    await demo.load()
    c = map_lab.client()
    for url in ["/", "/mapping/", "/mapping/map", "/mapping/network", "/mapping/partners", "/mapping/stats",
                "/mapping/propose", "/mapping/organisations/1", "/mapping/organisations/1/correct",
                "/mapping/export.csv", "/mapping/export.json", "/mapping/export.geojson", "/mapping/export.popolo.json",
                "/api/v1/mapping/organisations", "/api/v1/mapping/organisations/1", "/api/v1/mapping/organisations.geojson",
                "/api/v1/mapping/relationships", "/api/v1/mapping/stats", "/api/v1/references/organisation?q=coletivo",
                "/mapping/?q=mobilidade&kind=startup&partner=1", "/api/v1/openapi.json"]:
        r = await c.get(url)
        assert r.status_code == 200, (url, r.status_code, r.text[:3000])
    staff = await map_lab.login_as("staff")
    for url in ["/mapping/moderation", "/mapping/moderation/1", "/mapping/import", "/mapping/organisations/1/edit", "/mapping/organisations/1", "/mapping/map", "/"]:
        r = await staff.get(url)
        assert r.status_code == 200, (url, r.status_code, r.text[:3000])
