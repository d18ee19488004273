// The comparison point for `npm run bench`: a cloud function in the shape of Tencent's
// own sample — wx-server-sdk required from node_modules (installed on the cloud side
// with installDependency), no bundling. Not deployed; only loaded by the benchmark.
const cloud = require('wx-server-sdk');

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const db = cloud.database();

exports.main = async () => {
  const { OPENID } = cloud.getWXContext();
  const { data } = await db.collection('users').where({ _id: OPENID }).get();
  return { openid: OPENID, user: data[0] || null };
};
