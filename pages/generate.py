"""Generate: class representatives and their directions of variation, perturbations, interpolation,
VAE prior samples and GAN samples with sliders over the generator's input."""

import numpy as np
import streamlit as st

from latent_core.images import shown_png, upscale
from ui import codes, share
from ui.generate_views import (AVERAGE_KEY, AVERAGE_KINDS, CLASS_KEY, class_histogram, decoded, gan_samples,
                               interpolation, perturbations, prior_samples, shape_sliders)
from ui.guard import offer_a_model_with_a_code, require_dataset, require_model
from ui.interpolation_views import interpolation_meter
from ui.shell import lang, start_page, t

start_page()
st.header(t("page.generate"))
st.write(t("generate.intro"))
dataset = require_dataset(images=True)
choice, bundle = require_model()
model = bundle.model
names = dataset.class_names(lang())
classifier = codes.load_classifier_for(dataset, model)

sections = []
if model.has_encoder and model.has_latent and names:
    sections += ["class", "perturb", "interpolate", "meter"]
if model.generative:
    sections.append("prior" if model.has_encoder else "gan")
if not model.has_latent:
    st.warning(t("guard.no_latent", kind=t(f"kind.{model.kind}")))
    offer_a_model_with_a_code()
    st.stop()
if not sections:
    st.info(t("generate.nothing"))
    st.stop()
tabs = dict(zip(sections, st.tabs([t(f"generate.tab.{section}") for section in sections])))

if "class" in tabs:
    with st.spinner(t("generate.encoding")):
        sample = codes.code_sample(choice, model, dataset, split="train")
    sample_key = codes.sample_key(choice, dataset, split="train")
    averages = codes.class_statistics(sample_key, sample)
    class_labels = {label: names[label] for label in averages.plain}
    with tabs["class"]:
        st.write(t("generate.class_intro", count=f"{len(sample.codes):,}"))
        share.seed_choice(AVERAGE_KEY, "average", AVERAGE_KINDS)
        average = st.radio(t("generate.average"), AVERAGE_KINDS, horizontal=True, key=AVERAGE_KEY,
                           format_func=lambda kind: t(f"generate.average.{kind}"), help=t("generate.average_help"))
        share.publish("average", average)
        means = averages.typical if average == "typical" else averages.plain
        representatives = decoded(model, np.stack(list(means.values())))  # every class in one model call
        st.image([shown_png(upscale(image, 84)) for image in representatives], caption=list(class_labels.values()),
                 output_format="PNG")
        share.seed_choice(CLASS_KEY, "class", list(means))
        label = st.selectbox(t("common.class"), list(means), key=CLASS_KEY, format_func=class_labels.get)
        share.publish("class", label)
        st.caption(t("generate.average_shrink", name=names[label], percent=round(100 * averages.shrink[label])))
        members = int(np.count_nonzero(sample.labels == label))
        if members < 2:  # directions of variation need at least two codes
            st.error(t("generate.class_too_small", name=names[label], count=members))
            st.stop()
        directions = codes.class_directions(sample_key, label, sample)
        shape_sliders(model, means[label], directions, names, classifier, label, average)
    with tabs["perturb"]:
        st.write(t("generate.perturb_intro", name=names[label], average=t(f"generate.average.{average}")))
        perturbations(model, means[label], directions, names, classifier, label, average)
    with tabs["interpolate"]:  # between the classes' plain means, as the tab says
        st.write(t("generate.interpolate_intro"))
        interpolation(model, sample, averages.plain, names, classifier)
    with tabs["meter"]:
        st.write(t("interpolation.intro"))
        interpolation_meter(sample_key, model, sample, averages.plain, names)
if "prior" in tabs:
    with tabs["prior"]:
        if hasattr(model, "beta"):
            st.write(t("generate.prior_intro", dims=model.latent_dim, beta=f"{model.beta:g}"))
        else:  # a VAE from a notebook: its β is not known
            st.write(t("generate.prior_intro_plain", dims=model.latent_dim))
        prior_samples(model, names, classifier)
        class_histogram(choice.cache_key, codes.classifier_key(), model, classifier, names)
if "gan" in tabs:
    with tabs["gan"]:
        st.write(t("generate.gan_intro", dims=model.latent_dim))
        gan_samples(model, names, classifier)
        class_histogram(choice.cache_key, codes.classifier_key(), model, classifier, names)
