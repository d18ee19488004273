/** Example order page: shows how an app honours hidePrices and hideShippingAddress. */
Page({});
