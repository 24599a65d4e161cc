// The 3-D view of neuroseg (DESIGN 3.15): NiiVue drawing the image and labels that Python names by URL.
// Speaks Streamlit's component protocol (v1) by hand: ready, render, value, frame height.
"use strict";

const canvas = document.getElementById("gl");
const status = document.getElementById("status");
const frame = document.getElementById("view");
let nv = null;
let loaded = { image: null, labels: null };
let latest = null;   // the newest arguments from Python
let busy = false;    // a load is running; it applies `latest` when done
let clicks = 0;
let cut = null;    // the clip plane drawn, as JSON
let timer = null;

function post(type, data) {
  window.parent.postMessage({ isStreamlitMessage: true, type, ...data }, "*");
}

function absolute(url) {
  // Media URLs are relative to the server's root; this page is served from <root>/component/<name>/.
  const path = window.location.pathname;
  return window.location.origin + path.slice(0, path.indexOf("/component/")) + url;
}

function viewer() {
  if (nv) return nv;
  nv = new niivue.Niivue({
    backColor: [0, 0, 0, 1],
    show3Dcrosshair: true,
    crosshairColor: [1, 0.84, 0, 1],
    multiplanarLayout: niivue.MULTIPLANAR_TYPE.GRID,
    multiplanarShowRender: niivue.SHOW_RENDER.ALWAYS,
    dragAndDropEnabled: false,
    isOrientCube: true,
    clipPlaneColor: [0, 0, 0, 0],
    loadingText: "",
  });
  nv.attachToCanvas(canvas);
  nv.backgroundMasksOverlays = 1; // labels start where the (clipped) image starts: a cut shows them on its face
  nv.onLocationChange = (data) => {
    // A click (or drag) in a tile moved the crosshair: tell Python once the pointer settles.
    clearTimeout(timer);
    timer = setTimeout(() => {
      clicks += 1;
      post("streamlit:setComponentValue", { value: { mm: Array.from(data.mm.slice(0, 3)), n: clicks }, dataType: "json" });
    }, 150);
  };
  return nv;
}

async function load(args) {
  const view = viewer();
  if (args.image !== loaded.image) {
    await view.loadVolumes([{ url: absolute(args.image), name: "image.nii.gz", colormap: "gray" }]);
    loaded = { image: args.image, labels: null };
  }
  if (args.labels !== loaded.labels) {
    while (view.volumes.length > 1) view.removeVolume(view.volumes[1]);
    if (args.labels) {
      await view.addVolumeFromUrl({ url: absolute(args.labels), name: "labels.nii.gz", opacity: args.opacity });
    }
    loaded.labels = args.labels;
  }
}

function apply(args) {
  const view = viewer();
  if (view.volumes.length > 1 && args.table) {
    view.volumes[1].setColormapLabel(args.table);
    view.volumes[1].opacity = args.opacity;
    view.updateGLVolume();
  }
  view.setSliceType(args.layout === "render" ? niivue.SLICE_TYPE.RENDER : niivue.SLICE_TYPE.MULTIPLANAR);
  const clip = JSON.stringify(args.clip);
  if (clip !== cut) {
    // A new cut: clip, and turn the camera to look at the cut face.
    cut = clip;
    view.setClipPlane(args.clip ? args.clip.slice(0, 3) : [2, 0, 0]);
    if (args.clip) view.setRenderAzimuthElevation(args.clip[3], args.clip[4]);
  }
  view.scene.crosshairPos = view.mm2frac(args.crosshair);
  view.drawScene();
}

async function render(args) {
  latest = args;
  if (busy) return;
  busy = true;
  try {
    while (latest) {
      const current = latest;
      latest = null;
      frame.style.height = current.height + "px";
      post("streamlit:setFrameHeight", { height: current.height });
      if (current.image !== loaded.image || current.labels !== loaded.labels) {
        canvas.dataset.ready = "0";
        status.textContent = "Loading the 3-D view…";
        await load(current);
      }
      apply(current);
      status.textContent = "";
      canvas.dataset.ready = "1";
    }
  } catch (error) {
    status.textContent = "The 3-D view could not draw these volumes: " + error.message;
    canvas.dataset.ready = "error";
  } finally {
    busy = false;
  }
}

window.addEventListener("message", (event) => {
  if (event.data && event.data.type === "streamlit:render") render(event.data.args);
});
post("streamlit:componentReady", { apiVersion: 1 });
