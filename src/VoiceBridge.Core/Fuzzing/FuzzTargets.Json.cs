using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Call.Tools;
using VoiceBridge.Engines.Cascade.Llm;
using VoiceBridge.Engines.Cascade.Remote;
using VoiceBridge.Engines.Realtime.Protocol;
using VoiceBridge.Legs.Twilio;

namespace VoiceBridge.Fuzzing;

public static partial class FuzzTargets
{
    private const string StreamSid = "MZ18ad3ab5a668481ce02b83e7395059f0";
    private const string Payload = "//7+/n5+fn5+fv7+/v7+fn5+fn5+/v7+/v5+fn5+fn7+/v7+/n5+fn5+fv7+/v7+fn5+fn5+/v7+/v5+fn5+fn7+/v7+/n5+fn5+fv7+/v7+fn5+fn5+/v7+/v5+fn5+fn7+/v7+/n5+fn5+fv7+/v7+fn5+fn5+/v7+/v5+fn5+fn7+/v7+/n5+fn5+fv7+/v7+fn5+fn5+/v7+/v5+fn5+fn7+/v7+";

    /// <summary>
    /// JSON inputs up to Twilio's 64 KiB message limit (the engines' sockets allow 1-4 MiB, where the same
    /// linear cost applies: at most about 20 bytes per input byte for JsonDocument, strings and error text).
    /// </summary>
    private const int JsonMaxInputBytes = 64 * 1024;

    private const long JsonMaxAllocatedBytes = 2 << 20;

    private static readonly byte[][] JsonKeys = Utf8("\"event\":", "\"type\":", "\"streamSid\":", "\"media\":", "\"payload\":", "\"delta\":",
        "\"item\":", "\"response\":", "\"error\":", "\"message\":", "\"audio\":", "\"channel\":", "\"alternatives\":", "\"transcript\":",
        "\"sequenceNumber\":", "\"timestamp\":", "\"output\":", "\"usage\":", "\"rate_limits\":", "\"content\":", "\"arguments\":");

    private static FuzzTarget TwilioInbound()
    {
        var message = new TwilioInboundMessage();
        return new FuzzTarget(
            "twilio-inbound",
            "TwilioMessageParser.TryParse: the frames Twilio sends on a Media Streams WebSocket (connected, start, media, dtmf, mark, stop)",
            Utf8(
                """{"event":"connected","protocol":"Call","version":"1.0.0"}""",
                $$$"""{"event":"start","sequenceNumber":"1","start":{"accountSid":"AC0123456789abcdef0123456789abcdef","streamSid":"{{{StreamSid}}}","callSid":"CA0123456789abcdef0123456789abcdef","tracks":["inbound"],"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1},"customParameters":{"From":"+15550001111","tenant":"acme"}},"streamSid":"{{{StreamSid}}}"}""",
                $$$"""{"event":"media","sequenceNumber":"3","media":{"track":"inbound","chunk":"1","timestamp":"5","payload":"{{{Payload}}}"},"streamSid":"{{{StreamSid}}}"}""",
                $$$"""{"event":"dtmf","streamSid":"{{{StreamSid}}}","sequenceNumber":"5","dtmf":{"track":"inbound_track","digit":"1"}}""",
                $$$"""{"event":"mark","sequenceNumber":"4","streamSid":"{{{StreamSid}}}","mark":{"name":"my label"}}""",
                $$$"""{"event":"stop","sequenceNumber":"5","streamSid":"{{{StreamSid}}}","stop":{"accountSid":"AC0123456789abcdef0123456789abcdef","callSid":"CA0123456789abcdef0123456789abcdef"}}"""),
            input => _ = TwilioMessageParser.TryParse(input, message, out _))
        {
            Dictionary = JsonKeys,
            MaxInputBytes = JsonMaxInputBytes,
            MaxAllocatedBytes = JsonMaxAllocatedBytes,
        };
    }

    private static FuzzTarget TwilioOutbound()
    {
        var message = new TwilioOutboundMessage();
        return new FuzzTarget(
            "twilio-outbound",
            "TwilioOutboundParser.TryParse: what the bridge sends Twilio, as the replay harness reads it back",
            Utf8(
                $$$"""{"event":"media","streamSid":"{{{StreamSid}}}","media":{"payload":"{{{Payload}}}"}}""",
                $$$"""{"event":"mark","streamSid":"{{{StreamSid}}}","mark":{"name":"my label"}}""",
                $$$"""{"event":"clear","streamSid":"{{{StreamSid}}}"}"""),
            input => _ = TwilioOutboundParser.TryParse(input, message, out _))
        {
            Dictionary = JsonKeys,
            MaxInputBytes = JsonMaxInputBytes,
            MaxAllocatedBytes = JsonMaxAllocatedBytes,
        };
    }

    private static FuzzTarget RealtimeServer()
    {
        var into = new RealtimeServerEvent();
        return new FuzzTarget(
            "realtime-server",
            "RealtimeServerParser.TryParse: OpenAI Realtime server events (the realtime engine and the OpenAI transcription stage)",
            Utf8(
                """{"type":"session.created","event_id":"event_C9G5RJeJ2gF77mV7f2B1j","session":{"type":"realtime","object":"realtime.session","id":"sess_1","model":"gpt-realtime","output_modalities":["audio"],"instructions":"Be brief.","tools":[],"tool_choice":"auto","max_output_tokens":"inf","audio":{"input":{"format":{"type":"audio/pcm","rate":24000},"transcription":null,"noise_reduction":null,"turn_detection":{"type":"server_vad","threshold":0.5,"prefix_padding_ms":300,"silence_duration_ms":200,"idle_timeout_ms":null,"create_response":true,"interrupt_response":true}},"output":{"format":{"type":"audio/pcm","rate":24000},"voice":"marin","speed":1}}}}""",
                """{"type":"input_audio_buffer.speech_started","event_id":"event_1","audio_start_ms":1000,"item_id":"item_003"}""",
                """{"type":"conversation.item.input_audio_transcription.completed","event_id":"event_3","item_id":"item_003","content_index":0,"transcript":"Hello, how are you?","logprobs":[{"token":"Hello","logprob":-0.1,"bytes":[72]}],"usage":{"type":"tokens","total_tokens":22,"input_tokens":13,"input_token_details":{"text_tokens":0,"audio_tokens":13},"output_tokens":9}}""",
                """{"type":"conversation.item.input_audio_transcription.failed","event_id":"event_4","item_id":"item_003","content_index":0,"error":{"type":"transcription_error","code":"audio_unintelligible","message":"The audio could not be transcribed.","param":null}}""",
                """{"type":"conversation.item.added","event_id":"event_5","previous_item_id":"item_002","item":{"id":"item_003","type":"message","object":"realtime.item","status":"completed","role":"user","content":[{"type":"input_audio","transcript":null,"audio":null,"format":"pcm16"}]}}""",
                """{"type":"response.output_audio.delta","event_id":"event_9","response_id":"resp_001","item_id":"item_004","output_index":0,"content_index":0,"delta":"AAECAwQ=","obfuscation":"x1"}""",
                """{"type":"response.output_audio_transcript.delta","event_id":"event_10","response_id":"resp_001","item_id":"item_004","output_index":0,"content_index":0,"delta":"Hello","obfuscation":"abc"}""",
                """{"type":"response.function_call_arguments.done","event_id":"event_11","response_id":"resp_002","item_id":"item_005","output_index":0,"call_id":"call_001","name":"lookup_order","arguments":"{\"order_id\":\"42\"}"}""",
                """{"type":"response.done","event_id":"event_12","response":{"object":"realtime.response","id":"resp_001","status":"completed","status_details":null,"output":[{"id":"item_004","type":"message","object":"realtime.item","status":"completed","role":"assistant","content":[{"type":"output_audio","transcript":"Hi there! How can I help?"}]},{"id":"item_005","type":"function_call","object":"realtime.item","status":"completed","name":"lookup_order","call_id":"call_001","arguments":"{}"}],"usage":{"total_tokens":253,"input_tokens":132,"output_tokens":121,"input_token_details":{"text_tokens":119,"audio_tokens":13,"image_tokens":0,"cached_tokens":64,"cached_tokens_details":{"text_tokens":64,"audio_tokens":0}},"output_token_details":{"text_tokens":30,"audio_tokens":91}}}}""",
                """{"type":"response.done","event_id":"e","response":{"id":"resp_2","status":"failed","status_details":{"type":"failed","error":{"type":"server_error","code":"internal_error","message":"Oops"}},"output":[]}}""",
                """{"type":"rate_limits.updated","event_id":"event_13","rate_limits":[{"name":"requests","limit":1000,"remaining":999,"reset_seconds":60},{"name":"tokens","limit":50000,"remaining":49950,"reset_seconds":0.06}]}""",
                """{"type":"error","event_id":"event_14","error":{"type":"invalid_request_error","code":"invalid_event","message":"The 'type' field is missing.","param":null,"event_id":"event_567"}}"""),
            input => _ = RealtimeServerParser.TryParse(input, into, out _))
        {
            Dictionary = JsonKeys,
            MaxInputBytes = JsonMaxInputBytes,
            MaxAllocatedBytes = JsonMaxAllocatedBytes,
        };
    }

    private static FuzzTarget RealtimeClient()
    {
        var into = new RealtimeClientEvent();
        return new FuzzTarget(
            "realtime-client",
            "RealtimeClientParser.TryParse: client events as the provider simulator reads them",
            Utf8(
                """{"type":"session.update","session":{"type":"realtime","instructions":"new","tools":[{"type":"function","name":"lookup_order","description":"Find an order","parameters":{"type":"object","properties":{"order_id":{"type":"string"}}}}],"audio":{"input":{"format":{"type":"audio/pcmu"},"turn_detection":{"type":"semantic_vad","eagerness":"high"}},"output":{"format":{"type":"audio/pcmu"},"voice":"marin"}}}}""",
                """{"type":"input_audio_buffer.append","event_id":"c1","audio":"AAECAwQFBgcICQ=="}""",
                """{"type":"conversation.item.create","previous_item_id":null,"item":{"type":"function_call_output","call_id":"call_1","output":"{\"status\":\"shipped\"}"}}""",
                """{"type":"conversation.item.create","item":{"type":"message","role":"user","content":[{"type":"input_text","text":"hello"}]}}""",
                """{"type":"conversation.item.truncate","item_id":"item_004","content_index":0,"audio_end_ms":1500}""",
                """{"type":"response.create","response":{"instructions":"Say goodbye."}}""",
                """{"type":"response.cancel"}"""),
            input => _ = RealtimeClientParser.TryParse(input, into, out _))
        {
            Dictionary = JsonKeys,
            MaxInputBytes = JsonMaxInputBytes,
            MaxAllocatedBytes = JsonMaxAllocatedBytes,
        };
    }

    private static FuzzTarget Deepgram() => new(
        "deepgram",
        "DeepgramWire.TryParse: Deepgram live-streaming server messages (Results, Metadata, UtteranceEnd, SpeechStarted, Error)",
        Utf8(
            """{"type":"Results","channel_index":[0,1],"duration":1.98,"start":5.99,"is_final":false,"speech_final":false,"channel":{"alternatives":[{"transcript":"another big","confidence":0.9961,"words":[{"word":"another","start":6.08,"end":6.4,"confidence":0.99,"punctuated_word":"Another"},{"word":"big","start":6.4,"end":6.72,"confidence":0.99,"punctuated_word":"big"}]}]},"metadata":{"request_id":"8c8ebea9-dbec-45fa-a035-e4632cb05b5f","model_info":{"name":"general","version":"2024-01-26.8851","arch":"base"},"model_uuid":"1dbdfb4d-85b2-4659-9c9b-3f8a9d0c1c4e"},"from_finalize":false}""",
            """{"type":"Metadata","transaction_key":"deprecated","request_id":"8c8ebea9-dbec-45fa-a035-e4632cb05b5f","sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","created":"2024-08-29T22:37:55.202Z","duration":0.0,"channels":0}""",
            """{"type":"UtteranceEnd","channel":[0,1],"last_word_end":2.395}""",
            """{"type":"SpeechStarted","channel":[0,1],"timestamp":9.54}""",
            """{"type":"Error","description":"Failed to process audio","message":"DATA-0000","variant":"error"}"""),
        input => _ = DeepgramWire.TryParse(input, out _, out _))
    {
        Dictionary = JsonKeys,
        MaxInputBytes = JsonMaxInputBytes,
        MaxAllocatedBytes = JsonMaxAllocatedBytes,
    };

    private static FuzzTarget ElevenLabs() => new(
        "elevenlabs",
        "ElevenLabsWire.TryParse: ElevenLabs stream-input server messages (audio, isFinal, errors)",
        Utf8(
            """{"audio":"AAEC/w==","isFinal":null,"normalizedAlignment":{"chars":["H"],"charStartTimesMs":[0],"charDurationsMs":[3]}}""",
            """{"isFinal":true}""",
            """{"message":"Have not received a new text input within the timeout of 20 seconds.","error":"input_timeout_exceeded","code":1008}"""),
        input => _ = ElevenLabsWire.TryParse(input, out _, out _))
    {
        Dictionary = JsonKeys,
        MaxInputBytes = JsonMaxInputBytes,
        MaxAllocatedBytes = JsonMaxAllocatedBytes,
    };

    /// <summary>
    /// What a chat provider (OpenAI, Anthropic) sends that the bridge reads itself: an HTTP error body with its
    /// Retry-After, and a model's tool-call arguments (canonicalised for shadow comparison, parsed for the call).
    /// </summary>
    private static FuzzTarget Chat()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        return new FuzzTarget(
            "chat",
            "ProviderErrors.FromStatus (error body, Retry-After), ToolRegistry.CanonicalArguments and ConversationMessages.ToolCallContent on tool-call arguments",
            Utf8(
                """{"error":{"message":"Rate limit reached for gpt-4o-mini in organization org-x on tokens per min (TPM): Limit 200000, Used 199000.","type":"tokens","param":null,"code":"rate_limit_exceeded"}}""",
                """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}""",
                """{"order_id":"42","items":[1,2.5,true,null],"note":{"b":1,"a":"x"}}""",
                "<html><body>502 Bad Gateway</body></html>"),
            input =>
            {
                string text = System.Text.Encoding.UTF8.GetString(input);
                int split = text.IndexOf('\n', StringComparison.Ordinal);
                string retryAfter = split < 0 ? "1.5" : text[..split];
                _ = ProviderErrors.FromStatus("openai", 429, "Too Many Requests", text, retryAfter, retryAfter, time);
                _ = ToolRegistry.CanonicalArguments(text);
                _ = ConversationMessages.ToolCallContent("call_1", "lookup_order", text);
            })
        {
            Dictionary = [.. JsonKeys, .. Utf8("\n", "Wed, 21 Oct 2015 07:28:00 GMT\n", "-1\n", "1e308\n", "Infinity\n")],
            MaxInputBytes = JsonMaxInputBytes,

            // Three readers of the same text, each linear: the UTF-16 string, two JsonDocuments, the canonical rewrite and the argument dictionary.
            MaxAllocatedBytes = 4 << 20,
        };
    }
}
