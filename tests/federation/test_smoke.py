def test_the_world_builds(world, client_as):
    assert world.actor("editor").secretariat
    assert world.actor("corr_a").correspondent_of == {world.section_a.pk}
    assert client_as("editor").get("/").status_code == 200
