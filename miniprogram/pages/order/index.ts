/** The order page: the form (honouring hidePrices and hideShippingAddress, enforced by the server) and the user's own orders. */
Page({
  onSubmitted() {
    const list = this.selectComponent('#orders') as unknown as { reload?: () => Promise<void> } | null;
    void list?.reload?.();
  },
});
