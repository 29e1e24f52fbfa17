// The empty Worker: start-up and latency floor of workerd itself.
export default {
  fetch() {
    return new Response("ok");
  },
};
