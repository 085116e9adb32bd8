"""Shareable views through AppTest: a page opened with a link's query parameters shows those values, the
address follows the widgets, and values a page does not take are ignored for its defaults."""

from page_helpers import finish_jobs, open_link, open_with_model

def test_a_generate_link_shows_its_dataset_model_class_and_slider_positions(tiny):
    app = open_link("generate.py", dataset="digits", model="workspace:" + tiny.ae.id, **{"class": "3"},
                    dir="0.5,-1.2,0,2.9", dims="0,0,-3,0.1")
    assert not app.exception
    assert app.session_state["dataset"] == "digits" and app.session_state["model"] == "workspace:" + tiny.ae.id
    assert app.selectbox(key="generate.class").value == 3
    assert [app.slider(key=f"generate.direction.{i}").value for i in range(4)] == [0.5, -1.2, 0.0, 2.9]
    assert [app.slider(key=f"generate.dim.{i}").value for i in range(4)] == [0.0, 0.0, -3.0, 0.1]
    assert any(image.proto.imgs[0].caption.startswith("3, moved by the sliders") for image in app.get("image"))


def test_the_address_follows_the_generate_widgets(tiny):
    app = open_with_model("generate.py", tiny.ae)
    assert app.query_params["model"] == "workspace:" + tiny.ae.id and app.query_params["dataset"] == "digits"
    assert app.query_params["class"] == "0" and app.query_params["dir"] == "0,0,0,0"
    app.selectbox(key="generate.class").set_value(7).run()
    app.slider(key="generate.direction.1").set_value(-0.7).run()
    assert not app.exception
    assert app.query_params["class"] == "7" and app.query_params["dir"] == "0,-0.7,0,0"
    assert "user" not in app.query_params


def test_values_a_page_does_not_take_are_ignored_and_the_defaults_used(tiny):
    app = open_link("generate.py", dataset="digits", model="workspace:no-such-model", **{"class": "10"},
                    dir="0.5,9,0,0", dims="0.05,0,0,0")
    assert not app.exception
    assert app.session_state["model"] != "workspace:no-such-model"  # the sidebar's first model instead
    assert app.selectbox(key="generate.class").value == 0
    assert all(app.slider(key=f"generate.direction.{i}").value == 0.0 for i in range(4))
    assert all(app.slider(key=f"generate.dim.{i}").value == 0.0 for i in range(4))
    other = open_link("generate.py", dataset="imagenet", model="workspace:" + tiny.ae.id, dir="1,1")
    assert not other.exception and other.session_state["dataset"] == "fashion_mnist"
    assert other.query_params["dataset"] == "fashion_mnist"


def test_a_latent_map_link_shows_its_layout_colouring_and_images(tiny):
    app = open_link("latent_map.py", dataset="digits", model="workspace:" + tiny.ae.id, map="pca",
                    colour="trust", images="regions", cells="6", points="300")
    app = finish_jobs(app)
    assert not app.exception
    assert app.radio(key="latent_map.method").value == "pca"
    assert app.radio(key="latent_map.colour").value == "trust"
    assert app.radio(key="latent_map.images").value == "regions"
    assert app.slider(key="latent_map.region_steps").value == 6
    assert app.slider(key="latent_map.points").value == 300
    assert app.query_params["map"] == "pca" and app.query_params["cells"] == "6"
    bad = finish_jobs(open_link("latent_map.py", dataset="digits", model="workspace:" + tiny.ae.id,
                                map="umap-ish", colour="trust;", images="thumbnails", points="99999"))
    assert not bad.exception
    assert bad.radio(key="latent_map.method").value == "tsne"
    assert bad.radio(key="latent_map.colour").value == "labels"
    assert bad.radio(key="latent_map.images").value == "thumbnails"
    assert bad.slider(key="latent_map.points").value == 360
    assert bad.query_params["map"] == "tsne" and bad.query_params["points"] == "360"


def stale_fragment_page():
    """A page whose part is drawn for the value "choice" had when the page last called it: "old" in the first
    run, as a fragment rerun after the choice changed would be, then whatever the session holds."""
    import streamlit as st

    from ui import share

    runs = st.session_state["runs"] = st.session_state.get("runs", 0) + 1
    st.session_state.setdefault("choice", "new")
    drawn_for = "old" if runs == 1 and st.session_state.get("stale") else st.session_state["choice"]
    share.redraw_if_changed("choice", drawn_for)
    st.write(f"drawn for {drawn_for} in run {runs}")


def test_a_part_drawn_for_a_choice_the_session_has_left_redraws_the_whole_page():
    from streamlit.testing.v1 import AppTest

    stale = AppTest.from_function(stale_fragment_page)
    stale.session_state["stale"] = True
    stale.run()
    assert not stale.exception and stale.markdown[0].value == "drawn for new in run 2"
    current = AppTest.from_function(stale_fragment_page).run()  # drawn for the session's own choice: no rerun
    assert not current.exception and current.markdown[0].value == "drawn for new in run 1"
