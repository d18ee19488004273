/** Service-provider page: assign packs from bulk orders to merchant mini programs; the panel does the work. */
Page({});
