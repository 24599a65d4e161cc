// The 3-D view of neuroseg (DESIGN 3.15): NiiVue drawing the image and labels that Python names by URL.
// Speaks Streamlit's component protocol (v1) by hand: ready, render, value, frame height.
"use strict";

const canvas = document.getElementById("gl");
const status = document.getElementById("status");
const frame = document.getElementById("view");
let loaded = { image: null, labels: null };
let shown = {};      // what apply() last drew, as JSON, by argument
let latest = null;   // the newest arguments from Python
let busy = false;    // a load is running; it applies `latest` when done
let clicks = 0;
const session = Date.now(); // with `clicks`, names each move uniquely across remounts of this view
let timer = null;

function post(type, data) {
  window.parent.postMessage({ isStreamlitMessage: true, type, ...data }, "*");
}

function absolute(url) {
  // Media URLs are relative to the server's root; this page is served from <root>/component/<name>/.
  const path = window.location.pathname;
  return window.location.origin + path.slice(0, path.indexOf("/component/")) + url;
}

// NiiVue starts (and compiles its shaders) as soon as the page loads, while Python's arguments are on their way.
const nv = new niivue.Niivue({
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
const attached = nv.attachToCanvas(canvas).then(() => {
  nv.backgroundMasksOverlays = 1; // labels start where the (clipped) image starts: a cut shows them on its face
});
nv.onLocationChange = (data) => {
  // A click (or drag) in a tile moved the crosshair: tell Python once the pointer settles.
  clearTimeout(timer);
  timer = setTimeout(() => {
    clicks += 1;
    post("streamlit:setComponentValue", { value: { mm: Array.from(data.mm.slice(0, 3)), n: `${session}.${clicks}` }, dataType: "json" });
  }, 150);
};

async function load(args) {
  await attached;
  const labels = args.labels ? [{ url: absolute(args.labels), name: "labels.nii.gz", opacity: args.opacity }] : [];
  if (args.image !== loaded.image) {
    await nv.loadVolumes([{ url: absolute(args.image), name: "image.nii.gz", colormap: "gray" }, ...labels]);
  } else {
    while (nv.volumes.length > 1) nv.removeVolume(nv.volumes[1]);
    if (labels.length) await nv.addVolumeFromUrl(labels[0]);
  }
  loaded = { image: args.image, labels: args.labels };
  shown = {};
}

function changed(name, value) {
  const text = JSON.stringify(value);
  if (shown[name] === text) return false;
  shown[name] = text;
  return true;
}

function apply(args) {
  // Only what changed is redone: a new colour table or opacity re-uploads the label texture, nothing else does.
  if (nv.volumes.length > 1 && (changed("table", args.table) | changed("opacity", args.opacity))) {
    nv.volumes[1].setColormapLabel(args.table);
    nv.volumes[1].opacity = args.opacity;
    nv.updateGLVolume();
  }
  if (changed("layout", args.layout)) {
    nv.setSliceType(args.layout === "render" ? niivue.SLICE_TYPE.RENDER : niivue.SLICE_TYPE.MULTIPLANAR);
  }
  if (changed("clip", args.clip)) { // a new cut: clip, and turn the camera to see the cut face
    nv.setClipPlane(args.clip ? args.clip.slice(0, 3) : [2, 0, 0]);
    if (args.clip) nv.setRenderAzimuthElevation(args.clip[3], args.clip[4]);
  }
  nv.scene.crosshairPos = nv.mm2frac(args.crosshair);
  nv.drawScene();
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
