/** The login page: the quick-login component, then a welcome once the user is in. */
Page({
  data: {
    done: false,
    verified: false,
    phoneMasked: null as string | null,
  },
  onDone(e: { detail: { phoneMasked: string | null; verified: boolean } }) {
    this.setData({ done: true, verified: e.detail.verified, phoneMasked: e.detail.phoneMasked });
  },
});
