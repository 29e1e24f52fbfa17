//! Provider formats: OpenAI chat and responses, Anthropic, Google Gemini, Vercel AI SDK.
