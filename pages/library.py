"""Model library: every model for the dataset, a look inside the chosen one, upload and download."""

import pandas as pd
import streamlit as st

from latent_core import store
from latent_core.metrics import compression_ratio
from latent_core.models import kind_has_latent
from latent_core.uploads import MAX_MODEL_BYTES
from latent_core.workspace import SaveRefused
from ui import account, models
from ui.charts import loss_figure
from ui.guard import chosen_model, require_dataset
from ui.library_views import plain_model_controls
from ui.shell import model_label, registered_dataset_name, select_model, start_page, t
from ui.uploads import refusal_text, upload_limit

start_page()


@st.cache_data(show_spinner=False, max_entries=8)
def keras_file(model_key: str, _bundle: store.Bundle) -> bytes:
    """The chosen model as a .keras download, made when first asked for, once per model version."""
    return store.model_archive_bytes(_bundle.model)


st.header(t("page.library"))
st.write(t("library.intro"))
dataset = require_dataset()

choices = models.choices_for(registered_dataset_name(), dataset.input_shape)
if choices:
    st.subheader(t("library.all"))
    st.dataframe(pd.DataFrame([{
        t("library.col.name"): choice.name,
        t("library.kind"): t(f"kind.{choice.kind}"),
        t("common.latent_size"): choice.latent_dim if kind_has_latent(choice.kind) else None,
        t("library.col.mse"): choice.metrics.get("test_mse"),
        t("library.col.origin"): t("library.origin.pretrained" if choice.is_pretrained else "library.origin.yours"),
    } for choice in choices]), hide_index=True, width="stretch")
else:
    st.info(t("library.none"))

picked = chosen_model()
if picked is not None:
    choice, bundle = picked
    model, manifest = bundle.model, bundle.manifest
    st.subheader(t("library.active", name=model_label(choice)))
    facts = st.columns(4)
    facts[0].metric(t("library.kind"), t(f"kind.{model.kind}"))
    facts[2].metric(t("library.parameters"), f"{model.count_params():,}")
    if model.has_latent:
        facts[1].metric(t("common.latent_size"), model.latent_dim)
        facts[3].metric(t("common.compression"), f"{compression_ratio(model.input_shape, model.latent_dim):.1f} : 1")
    else:  # a U-Net: its bottleneck is bypassed by the skip connections, so it is no code
        facts[1].metric(t("common.latent_size"), t("library.no_code"), help=t("library.no_code_help",
                                                                            size=f"{model.latent_dim:,}"))
        facts[3].metric(t("common.compression"), t("library.no_compression"))

    architecture, training, provenance, metrics = st.tabs([
        t("library.tab.architecture"), t("library.tab.training"), t("page.data"), t("library.tab.metrics")],
        key="library.tab", on_change="rerun")  # only the open tab runs and is drawn
    if architecture.open:
        with architecture:
            st.dataframe(pd.DataFrame([{
                t("library.col.part"): row["part"], t("library.col.layer"): row["layer"],
                t("library.col.type"): row["type"], t("library.col.shape"): row["output_shape"],
                t("library.parameters"): row["parameters"],
            } for row in model.summary_rows()]), hide_index=True, width="stretch")
            if hasattr(model, "layer_rows"):  # a plain Keras model from a notebook: its own chain of layers
                plain_model_controls(choice, manifest, model)
    if training.open:
        with training:
            record = manifest.get("training")
            if not record:
                st.info(t("library.no_training"))
            else:
                settings = {key: value for key, value in record.items() if key != "history"}
                settings.update({key: value for key, value in manifest.get("options", {}).items()})
                st.dataframe(pd.DataFrame({t("library.setting"): list(settings),
                                           t("library.value"): [str(value) for value in settings.values()]}),
                             hide_index=True, width="stretch")
                history = record.get("history") or {}
                if history:
                    st.plotly_chart(loss_figure(history, title=t("common.loss_per_epoch"), x_title=t("common.epoch"),
                                                y_title=t("common.loss")), width="stretch")
    if provenance.open:
        with provenance:
            if manifest.get("dataset"):
                st.json(manifest["dataset"])
            else:
                st.info(t("library.no_data"))
    if metrics.open:
        with metrics:
            if manifest.get("metrics"):
                st.dataframe(pd.DataFrame({t("library.metric"): list(manifest["metrics"]),
                                           t("library.value"): list(manifest["metrics"].values())}),
                             hide_index=True, width="stretch")
            else:
                st.info(t("library.no_metrics"))

    actions = st.columns([1, 1, 3])
    actions[0].download_button(t("library.download"), data=lambda: keras_file(choice.cache_key, bundle),
                               file_name=f"{choice.name}.keras", mime="application/octet-stream",
                               icon=":material/download:", on_click="ignore")  # built only when clicked
    if not choice.is_pretrained and actions[1].button(t("library.delete"), icon=":material/delete:"):
        models.workspace().delete(choice.entry_id)
        st.session_state.pop("model", None)
        st.toast(t("library.deleted", name=choice.name))
        st.rerun()

with st.expander(t("library.upload.header"), expanded=not choices):
    st.write(t("library.upload.help"))
    pair = st.checkbox(t("library.upload.pair"), key="library.upload.pair", help=t("library.upload.pair_help"))
    upload = st.file_uploader(t("library.upload.label"), type=["keras"], key="library.upload.model")
    decoder = st.file_uploader(t("library.upload.decoder"), type=["keras"], key="library.upload.decoder") \
        if pair else None
    files = [part for part in (upload, decoder) if part is not None]
    upload_id = tuple(part.file_id for part in files)
    ready = upload is not None and (decoder is not None or not pair)  # a pair waits for both files
    if ready and upload_id != st.session_state.get("last_model_upload"):
        st.session_state["last_model_upload"] = upload_id
        workspace = models.workspace()
        try:
            workspace.check_room(sum(part.size for part in files))  # before parsing: a full workspace refuses at once
            uploaded = store.load_model(upload.getvalue(), name=upload.name, input_shape=dataset.input_shape,
                                        data_name=dataset.name, max_bytes=upload_limit(MAX_MODEL_BYTES),
                                        **({} if decoder is None else {"decoder": decoder.getvalue(),
                                                                       "decoder_name": decoder.name}))
        except store.UnsafeModelError as error:
            st.session_state["model_upload_message"] = t("library.upload.refused", error=refusal_text(error))
        except store.IncompatibleModelError as error:
            st.session_state["model_upload_message"] = t("library.upload.mismatch", error=refusal_text(error))
        except store.InvalidModelFileError as error:
            st.session_state["model_upload_message"] = t("library.upload.invalid", error=refusal_text(error))
        except SaveRefused as error:
            st.session_state["model_upload_message"] = account.refusal_text(error)
        else:
            name = " + ".join(part.name.removesuffix(".keras") for part in files)[:60] or "uploaded"
            try:
                filenames = " + ".join(part.name for part in files)
                entry = workspace.save(uploaded, name=name, dataset={
                    "name": dataset.name, "source": t("library.upload.source", filename=filenames)})
            except SaveRefused as error:
                st.session_state["model_upload_message"] = account.refusal_text(error)
            else:
                select_model(models.workspace_key(entry.id))
                st.session_state["model_upload_message"] = None
                st.toast(t("library.upload.done", name=entry.name, kind=t(f"kind.{entry.kind}"),
                           dims=entry.latent_dim))
                st.rerun()
    if st.session_state.get("model_upload_message"):
        st.error(st.session_state["model_upload_message"])
