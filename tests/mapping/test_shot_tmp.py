from labkit.testing import RunningLab


async def test_shots(map_lab: RunningLab, browser_page) -> None:
    from labkit_mapping import demo
    await demo.load()
    page = browser_page
    msgs = []
    page.on("console", lambda m: msgs.append(m.text))
    await page.set_viewport_size({"width": 1200, "height": 1400})
    await page.goto(map_lab.url + "/mapping/map")
    await page.wait_for_selector("#mapping-map[data-markers]")
    print("markers", await page.get_attribute("#mapping-map", "data-markers"), msgs)
    await page.screenshot(path="/tmp/shot-map.png")
    await page.goto(map_lab.url + "/mapping/network")
    await page.screenshot(path="/tmp/shot-network.png", full_page=True)
    await page.goto(map_lab.url + "/mapping/")
    await page.screenshot(path="/tmp/shot-dir.png")
    await page.goto(map_lab.url + "/mapping/organisations/4")
    await page.screenshot(path="/tmp/shot-org.png", full_page=True)
    await page.goto(map_lab.url + "/")
    await page.screenshot(path="/tmp/shot-home.png")
    print(msgs)
