-- RFM settings, the 16 cells of the R×F lifecycle grid (seed 001), the quintile breakpoints of the
-- last full refresh (for scoring one member incrementally) and monthly snapshots of the cells (for
-- the migration matrix). See docs/segments.md.

-- One row: the chain's thresholds. R bands by days since the last purchase (ACTIVE ≤ r_active_days,
-- SILENT ≤ r_silent_days, SLEEPING ≤ r_sleeping_days, LOST beyond); F bands by purchase days in the
-- window (NEW below f_second_min, i.e. 0 or 1; SECOND from f_second_min; OLD from f_old_min; FAN from
-- f_fan_min). pyramid_percents: the value pyramid's layers from the top, in percent of members; the
-- rest is the last layer.
create table segments.rfm_settings (
    id               int primary key check (id = 1),
    r_active_days    int not null default 90,
    r_silent_days    int not null default 180,
    r_sleeping_days  int not null default 365,
    f_second_min     int not null default 2,
    f_old_min        int not null default 3,
    f_fan_min        int not null default 6,
    window_months    int not null default 12,
    pyramid_percents numeric(5, 2)[] not null default '{1, 4, 15, 30}',
    last_full_as_of  date,                -- as-of day of the last full RFM refresh
    updated_at       timestamptz not null default now(),
    updated_by       text not null default 'system',
    check (0 < r_active_days and r_active_days < r_silent_days and r_silent_days < r_sleeping_days),
    check (1 < f_second_min and f_second_min < f_old_min and f_old_min < f_fan_min),
    check (window_months between 1 and 120)
);
insert into segments.rfm_settings (id) values (1);

-- The 16 cells: name, recommended retention strategy and contact frequency (every N days; null:
-- do not contact), edited by marketers.
create table segments.rfm_cell (
    r_band              text not null check (r_band in ('ACTIVE', 'SILENT', 'SLEEPING', 'LOST')),
    f_band              text not null check (f_band in ('NEW', 'SECOND', 'OLD', 'FAN')),
    name_zh             text not null,
    name_en             text not null,
    strategy_zh         text not null default '',
    strategy_en         text not null default '',
    contact_every_days  int check (contact_every_days between 1 and 365),
    updated_at          timestamptz not null default now(),
    updated_by          text not null default 'system',
    primary key (r_band, f_band)
);
insert into segments.rfm_cell (r_band, f_band, name_zh, name_en, strategy_zh, strategy_en, contact_every_days) values
('ACTIVE', 'NEW', '活跃新客户', 'Active new', '好评有礼、产品推荐、使用入门；活跃期结束前发放优惠，促成第二次购买', 'Thank-you for reviews, product recommendations and how-to; a voucher before the active period ends to bring the second purchase', 14),
('ACTIVE', 'SECOND', '活跃二次客户', 'Active second-time', '推荐关联商品，介绍积分与会员权益，促成第三次购买', 'Recommend related products, explain points and member benefits, aim for the third purchase', 14),
('ACTIVE', 'OLD', '活跃老客户', 'Active regular', '新品优先通知、会员专享活动，提高连带率', 'Early news of new arrivals and member-only events; raise items per ticket', 21),
('ACTIVE', 'FAN', '活跃粉丝客户', 'Active fan', 'VIP 关怀、专属服务与新品预览，邀请推荐朋友', 'VIP care, exclusive service and previews; invite them to refer friends', 30),
('SILENT', 'NEW', '沉默新客户', 'Silent new', '限时优惠唤醒，回访了解首次购物体验', 'Wake up with a time-limited offer; ask about the first visit', 30),
('SILENT', 'SECOND', '沉默二次客户', 'Silent second-time', '个性化推荐加优惠券，提醒积分余额', 'Personal recommendations with a coupon; remind them of their points', 30),
('SILENT', 'OLD', '沉默老客户', 'Silent regular', '专属折扣与回访关怀', 'Exclusive discount and a care call', 30),
('SILENT', 'FAN', '沉默粉丝客户', 'Silent fan', '专属导购一对一回访，了解原因，给予专属礼遇', 'One-to-one call by their sales associate to learn why; a personal treat', 14),
('SLEEPING', 'NEW', '沉睡新客户', 'Sleeping new', '低成本短信唤醒，发放大力度回流券', 'Low-cost SMS wake-up with a strong come-back voucher', 60),
('SLEEPING', 'SECOND', '沉睡二次客户', 'Sleeping second-time', '唤醒优惠并邀请参加品牌活动', 'Wake-up offer and an invitation to a brand event', 60),
('SLEEPING', 'OLD', '沉睡老客户', 'Sleeping regular', '电话回访，赠送挽回礼', 'Care call and a win-back gift', 45),
('SLEEPING', 'FAN', '沉睡粉丝客户', 'Sleeping fan', '店长或专属导购电话关怀，提供挽回专享礼', 'Call by the store manager or their associate; an exclusive win-back gift', 30),
('LOST', 'NEW', '流失新客户', 'Lost new', '低频低成本触达，仅在大促时通知', 'Rare, low-cost contact: big promotions only', 90),
('LOST', 'SECOND', '流失二次客户', 'Lost second-time', '大促通知，调研流失原因', 'Big promotions; survey why they left', 90),
('LOST', 'OLD', '流失老客户', 'Lost regular', '流失原因调研并赠送挽回礼', 'Survey why they left and send a win-back gift', 90),
('LOST', 'FAN', '流失粉丝客户', 'Lost fan', '重点挽回：电话回访了解原因，制定专属挽回方案', 'Priority win-back: call to learn why and make a personal win-back plan', 60);

-- Quintile breakpoints of the last full refresh: for dimension R (key = minus recency days), F
-- (frequency) and M (monetary fen), the lowest key that received each score. A member scored
-- incrementally gets the highest score whose breakpoint is at most its key (1 below all).
create table segments.rfm_break (
    dimension  char(1)  not null check (dimension in ('R', 'F', 'M')),
    score      smallint not null check (score between 1 and 5),
    min_key    bigint   not null,
    primary key (dimension, score)
);

-- Each member's cell at the end of a month (the state of member_rfm before the first refresh of the
-- next month), for the migration matrix. cell = 4 * r index + f index (ACTIVE/NEW = 0 … LOST/FAN = 15).
create table segments.rfm_snapshot (
    month      date     not null,
    member_id  bigint   not null,
    cell       smallint not null check (cell between 0 and 15),
    primary key (month, member_id)
);
