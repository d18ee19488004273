/**
 * The month's statement (`admin.statement.month`) and ways to take its CSV away: the
 * clipboard, or a file sent to a chat (文件传输助手 opens it on a computer, in Excel).
 * Cloud storage is not used: the file never leaves the phone except where the admin sends it.
 */
import { CHINA_OFFSET_MS } from '../contract';
import { callRoute } from './cloud';

export type { MonthStatement } from '../contract';

export const getStatement = (month: string) => callRoute('admin', 'statement.month', { month });

/** The China month of `at` ("2026-12"), as the server counts months. */
export function chinaMonthOf(at: Date): string {
  return new Date(at.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 7);
}

export function copyCsv(csv: string): Promise<void> {
  return new Promise((resolve, reject) => wx.setClipboardData({ data: csv, success: () => resolve(), fail: reject }));
}

/** Whether this WeChat can send a file to a chat (base library 2.16.1+). */
export const canShareFile = () => typeof wx.shareFileMessage === 'function' && wx.canIUse('shareFileMessage');

/** Writes the CSV (its BOM included) to the user data folder and opens WeChat's send-to-chat sheet. Call from a tap. */
export function shareCsv(month: string, csv: string): Promise<void> {
  const fileName = `手机号验证账单-${month}.csv`;
  const filePath = `${wx.env.USER_DATA_PATH}/${fileName}`;
  return new Promise((resolve, reject) => {
    try {
      wx.getFileSystemManager().writeFileSync(filePath, csv, 'utf8');
    } catch (err) {
      reject(err);
      return;
    }
    wx.shareFileMessage({ filePath, fileName, success: () => resolve(), fail: reject });
  });
}
