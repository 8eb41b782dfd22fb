/**
 * The demo's simulated support assistant: topics with their own user phrasings, answers and
 * knowledge-base documents, the models it calls, and fake personal data for redaction to find.
 * All of it is invented for Lookout; placeholders in braces are filled by the generator.
 */

export interface Topic {
  id: string;
  /** Relative share of conversations before incidents change the mix. */
  weight: number;
  questions: string[];
  followUps: string[];
  answers: string[];
  /** Knowledge-base documents retrieval returns for this topic. */
  /** `snippet` is what retrieval returns; `body`, when given, is the whole published document. */
  docs: { id: string; title: string; snippet: string; body?: string }[];
  /** Tool the assistant calls for this topic, if any. */
  tool?: { name: string; args: string; result: string };
  /** Baseline probability that the conversation ends in an escalation. */
  escalation: number;
}

export const TOPICS: Topic[] = [
  {
    id: 'billing_double_charge',
    weight: 14,
    questions: [
      'I was charged twice for order {order}, can you refund one of them?',
      'My bank statement shows two payments of {amount} for the same order. What happened?',
      'Why is there a duplicate charge on my card ending {last4}?',
      'You billed me two times this month. Please fix it.',
      'Double payment for order {order} — I only placed it once!',
      'There are two identical transactions from you on {date}, is that a mistake?',
    ],
    followUps: ['How long until the money is back?', 'Will I get an email confirming the refund?', 'Can you send it to a different card?'],
    answers: [
      'Sorry about the double charge on order {order}. I can see two payments of {amount}; I have requested a refund of the duplicate, which usually reaches your account within 5 business days.',
      'Thanks for flagging this. One of the two charges was a pre-authorisation that will drop off automatically within 3 days; if it is still there after that, reply here and we will refund it.',
    ],
    docs: [
      { id: 'billing-duplicate-charges', title: 'Duplicate charges and pre-authorisations', snippet: 'Duplicate charges are refunded within 5 business days. Pre-authorisations drop off in up to 3 days.' },
      { id: 'billing-refund-methods', title: 'Where refunds are sent', snippet: 'Refunds always go back to the original payment method.' },
    ],
    tool: { name: 'lookup_payments', args: '{"order_id":"{order}"}', result: '{"payments":2,"amount":"{amount}","status":"settled"}' },
    escalation: 0.05,
  },
  {
    id: 'refund_status',
    weight: 12,
    questions: [
      'Where is my refund for order {order}? It has been {days} days.',
      'I returned my item two weeks ago and still no refund.',
      'Has my refund been processed yet? Order {order}.',
      'When will I get my money back for the jacket I sent back?',
      'Refund status please, order number {order}',
    ],
    followUps: ['It still has not arrived.', 'Can you give me a reference number for my bank?', 'Why does it take so long?'],
    answers: [
      'Your refund for order {order} was issued on {date}. Banks usually take 3 to 5 business days to show it; the reference is RF-{order}.',
      'We received your return and the refund is being processed. You will get an email as soon as it is issued, normally within 48 hours of the return arriving.',
    ],
    docs: [
      { id: 'refunds-timeline', title: 'Refund timelines', snippet: 'Refunds are issued within 48 hours of a return arriving and take 3-5 business days to appear.' },
      { id: 'refunds-reference', title: 'Refund references for your bank', snippet: 'Every refund has a reference starting with RF- that your bank can trace.' },
    ],
    tool: { name: 'lookup_refund', args: '{"order_id":"{order}"}', result: '{"status":"issued","issued_at":"{date}"}' },
    escalation: 0.06,
  },
  {
    id: 'shipping_delay',
    weight: 16,
    questions: [
      'My package for order {order} was supposed to arrive {date} and it is not here.',
      'Tracking has not updated in {days} days, is my parcel lost?',
      'Where is my order {order}?',
      'The courier says delivered but I have nothing.',
      'Can you speed up delivery? I need it by Friday.',
      'Order {order} stuck in transit',
    ],
    followUps: ['Can you send a replacement?', 'Who is the courier?', 'Can I change the delivery address to {address}?'],
    answers: [
      'I checked order {order}: it is with the courier and the latest scan was at the regional hub yesterday. The new estimate is {date}.',
      'I am sorry the parcel is late. If it has not arrived in 2 more business days we will send a replacement free of charge.',
      'When a parcel shows as delivered but is missing, please check with neighbours first; if it does not turn up in 24 hours we open a claim with the courier.',
    ],
    docs: [
      { id: 'shipping-delays', title: 'Late and missing parcels', snippet: 'Parcels more than 2 business days late qualify for a free replacement.' },
      { id: 'shipping-delivered-missing', title: 'Marked delivered but missing', snippet: 'Wait 24 hours, check with neighbours, then we open a courier claim.' },
    ],
    tool: { name: 'track_shipment', args: '{"order_id":"{order}"}', result: '{"status":"in_transit","last_scan":"regional hub"}' },
    escalation: 0.07,
  },
  {
    id: 'password_reset',
    weight: 10,
    questions: [
      'I cannot log in, the reset email never arrives. My email is {email}.',
      'How do I reset my password?',
      'Locked out of my account after too many attempts',
      'The password reset link says it expired.',
      'I changed my phone number and now I cannot get the login code, my old number was {phone}.',
    ],
    followUps: ['Still nothing in my inbox.', 'Can you reset it for me?', 'Is my account hacked?'],
    answers: [
      'I have sent a new reset link. It is valid for 30 minutes; please also check your spam folder.',
      'After 5 failed attempts accounts lock for 15 minutes. After that you can reset your password from the sign-in page.',
    ],
    docs: [
      { id: 'account-password-reset', title: 'Resetting your password', snippet: 'Reset links are valid for 30 minutes. Accounts lock for 15 minutes after 5 failed attempts.' },
      { id: 'account-2fa-phone-change', title: 'Changed phone number and two-factor codes', snippet: 'Use a backup code or verify your identity to move two-factor to a new number.' },
    ],
    escalation: 0.04,
  },
  {
    id: 'cancel_subscription',
    weight: 9,
    questions: [
      'I want to cancel my subscription.',
      'How do I stop the monthly payments? Card ending {last4}.',
      'Cancel my plan please, I am moving abroad.',
      'Can I pause my membership instead of cancelling?',
      'You charged me after I cancelled!',
    ],
    followUps: ['Do I get a refund for this month?', 'Will I lose my saved items?', 'Just cancel it please.'],
    answers: [
      'You can cancel any time under Account > Subscription. You keep access until the end of the current billing period and will not be charged again.',
      'You can pause your membership for up to 3 months instead of cancelling; your saved items are kept either way.',
    ],
    docs: [
      {
        id: 'subscription-cancel',
        title: 'Cancelling a subscription',
        snippet: 'Access continues until the end of the billing period; no further charges.',
        body: 'To cancel your plan, open Account > Subscription and choose Cancel plan. Access continues until the end of the billing period, and you will not be charged again.',
      },
      { id: 'subscription-pause', title: 'Pausing a membership', snippet: 'Memberships can be paused for up to 3 months.' },
    ],
    escalation: 0.09,
  },
  {
    id: 'returns_policy',
    weight: 11,
    questions: [
      'Can I return shoes I have worn once?',
      'What is your return window?',
      'How do I print a return label for order {order}?',
      'Do you refund the shipping cost if I return something?',
      'I got the wrong size, can I exchange it?',
    ],
    followUps: ['Where do I drop it off?', 'What if I lost the receipt?', 'Can someone collect it from {address}?'],
    answers: [
      'Items can be returned within {window} days of delivery if unused and in original packaging. You can print a free label from your order page.',
      'Exchanges for a different size are free: start a return and choose "exchange" as the reason.',
    ],
    docs: [
      { id: 'returns-window', title: 'Return window', snippet: 'Unused items can be returned within the return window from the delivery date.' },
      { id: 'returns-labels', title: 'Return labels and drop-off', snippet: 'Free return labels can be printed from the order page.' },
    ],
    escalation: 0.05,
  },
  {
    id: 'device_setup',
    weight: 8,
    questions: [
      'My smart thermostat will not connect to wifi.',
      'The app says "device offline" even though it is plugged in.',
      'How do I pair the sensor with the hub?',
      'Firmware update failed halfway, now the screen is blank.',
    ],
    followUps: ['I tried that already.', 'The light is blinking orange.', 'Can I get a replacement unit?'],
    answers: [
      'Please hold the button for 10 seconds until the light blinks blue, then add the device again from the app. Only 2.4 GHz networks are supported.',
      'A blank screen after a failed update can be recovered: keep it plugged in for 20 minutes so the recovery image installs, then restart it.',
    ],
    docs: [
      { id: 'device-wifi', title: 'Connecting to wifi', snippet: 'Only 2.4 GHz networks are supported; hold the button 10 seconds to reset pairing.' },
      { id: 'device-firmware-recovery', title: 'Recovering from a failed update', snippet: 'Leave the device powered for 20 minutes for the recovery image to install.' },
    ],
    escalation: 0.1,
  },
];

/** The topic that appears mid-run (a feature launch nobody documented yet). */
export const NEW_TOPIC: Topic = {
  id: 'passkey_login',
  weight: 0,
  questions: [
    'How do I sign in with a passkey? The new login page asks for one.',
    'The passkey prompt keeps failing on my phone.',
    'I set up a passkey on my laptop, how do I use it on my phone?',
    'Can I remove a passkey I created by accident?',
    'Why does the site want a passkey instead of my password now?',
  ],
  followUps: ['That option is not there for me.', 'Can I go back to using a password?', 'It says "no passkeys available".'],
  answers: [
    'I am not sure about passkeys yet; you can still sign in with your password from the login page.',
    'I could not find documentation for passkeys. Let me connect you with someone who can help.',
  ],
  docs: [],
  escalation: 0.3,
};

export const RETURN_WINDOW_DAYS = { old: 30, new: 14 };

export interface Model {
  name: string;
  provider: string;
  /** Median latency (ms) and time to first token (ms). */
  latencyMs: number;
  ttftMs: number;
  /** Output tokens, median. */
  outputTokens: number;
  weight: number;
}

export const MODELS: Model[] = [
  { name: 'gpt-4o-mini', provider: 'openai', latencyMs: 1300, ttftMs: 350, outputTokens: 140, weight: 45 },
  { name: 'gpt-4o', provider: 'openai', latencyMs: 2300, ttftMs: 550, outputTokens: 180, weight: 15 },
  { name: 'claude-haiku-4-5', provider: 'anthropic', latencyMs: 1100, ttftMs: 300, outputTokens: 150, weight: 20 },
  { name: 'claude-sonnet-4-5', provider: 'anthropic', latencyMs: 2800, ttftMs: 700, outputTokens: 220, weight: 10 },
  { name: 'gemini-2.5-flash', provider: 'google', latencyMs: 1000, ttftMs: 280, outputTokens: 160, weight: 10 },
];

/** Used by the cost-spike tenant after the incident starts. */
export const EXPENSIVE_MODEL: Model = { name: 'claude-opus-4-1', provider: 'anthropic', latencyMs: 6500, ttftMs: 1400, outputTokens: 900, weight: 0 };

/** Where a failed call falls back to. */
export const FALLBACK_MODEL: Model = MODELS[0]!;

export const TENANTS = [
  { id: 'acme', weight: 50, services: ['support-chat', 'email-assist'] },
  { id: 'globex', weight: 30, services: ['support-chat'] },
  { id: 'initech', weight: 20, services: ['support-chat', 'ticket-triage'] },
];

export const CHANNELS = [
  { id: 'web', weight: 60 },
  { id: 'email', weight: 20 },
  { id: 'mobile', weight: 15 },
  { id: 'sms', weight: 5 },
];

/** Invented personal data in the formats redaction must catch (test card numbers, reserved ranges). */
export const PII = {
  emails: ['jane.doe@example.com', 'm.rossi@example.org', 'kwame.mensah@example.net', 'li.wei+shop@example.com'],
  phones: ['+44 7700 900123', '(555) 010-4477', '+1 202-555-0143', '07700 900 456'],
  cards: ['4111 1111 1111 1111', '5555-5555-5555-4444', '4000056655665556'],
  addresses: ['221B Baker Street, London NW1 6XE', '742 Evergreen Terrace, Springfield', '12 Rue de la Paix, 75002 Paris'],
  sentences: [
    ' You can reach me at {email}.',
    ' My number is {phone}.',
    ' The card I used is {card}.',
    ' Ship it to {address} please.',
    ' My email is {email} and phone {phone}.',
  ],
};

export const PROMPT_VERSIONS = ['support-v11', 'support-v12'];
