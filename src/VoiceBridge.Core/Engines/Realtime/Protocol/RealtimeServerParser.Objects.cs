using System.Text.Json;

namespace VoiceBridge.Engines.Realtime.Protocol;

/// <summary>The nested objects of server events: error, response and rate limits.</summary>
public static partial class RealtimeServerParser
{
    private static RealtimeError ReadError(ref Utf8JsonReader reader)
    {
        string? type = null, code = null, message = null, param = null, eventId = null;
        JsonRead.Object(ref reader, "error");
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("type"u8))
            {
                type = JsonRead.String(ref reader, "type", "error");
            }
            else if (reader.ValueTextEquals("code"u8))
            {
                code = JsonRead.String(ref reader, "code", "error");
            }
            else if (reader.ValueTextEquals("message"u8))
            {
                message = JsonRead.String(ref reader, "message", "error");
            }
            else if (reader.ValueTextEquals("param"u8))
            {
                param = JsonRead.String(ref reader, "param", "error");
            }
            else if (reader.ValueTextEquals("event_id"u8))
            {
                eventId = JsonRead.String(ref reader, "event_id", "error");
            }
            else
            {
                JsonRead.Skip(ref reader);
            }
        }

        return new RealtimeError(type, code, message, param, eventId);
    }

    private static RealtimeResponse ReadResponse(ref Utf8JsonReader reader, Utf8StringCache ids)
    {
        string? id = null;
        var status = RealtimeResponseStatus.Unknown;
        RealtimeStatusDetails? details = null;
        var output = new List<RealtimeItem>();
        JsonRead.Object(ref reader, "response");
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("id"u8))
            {
                id = ids.Read(ref reader, "id", "response");
            }
            else if (reader.ValueTextEquals("status"u8))
            {
                status = JsonRead.StringToken(ref reader, "status", "response") ? RealtimeWireNames.Status(ref reader) : RealtimeResponseStatus.Unknown;
            }
            else if (reader.ValueTextEquals("status_details"u8))
            {
                details = ReadStatusDetails(ref reader);
            }
            else if (reader.ValueTextEquals("output"u8))
            {
                ReadOutput(ref reader, ids, output);
            }
            else
            {
                JsonRead.Skip(ref reader);
            }
        }

        return new RealtimeResponse(id, status, details, output);
    }

    private static void ReadOutput(ref Utf8JsonReader reader, Utf8StringCache ids, List<RealtimeItem> output)
    {
        if (!JsonRead.ArrayOrNull(ref reader, "output", "response"))
        {
            return;
        }

        while (JsonRead.NextElement(ref reader))
        {
            JsonRead.ExpectObject(ref reader, "output[]", "response");
            output.Add(ItemJson.Read(ref reader, "response.output[]", ids));
        }
    }

    private static RealtimeStatusDetails? ReadStatusDetails(ref Utf8JsonReader reader)
    {
        const string path = "response.status_details";
        if (!JsonRead.ObjectOrNull(ref reader, "status_details", "response"))
        {
            return null;
        }

        string? type = null, reason = null, errorType = null, errorCode = null, errorMessage = null;
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("type"u8))
            {
                type = JsonRead.String(ref reader, "type", path);
            }
            else if (reader.ValueTextEquals("reason"u8))
            {
                reason = JsonRead.String(ref reader, "reason", path);
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                (errorType, errorCode, errorMessage) = ReadStatusError(ref reader);
            }
            else
            {
                JsonRead.Skip(ref reader);
            }
        }

        return new RealtimeStatusDetails(type, reason, errorType, errorCode, errorMessage);
    }

    private static (string? Type, string? Code, string? Message) ReadStatusError(ref Utf8JsonReader reader)
    {
        const string path = "response.status_details.error";
        string? type = null, code = null, message = null;
        if (!JsonRead.ObjectOrNull(ref reader, "error", "response.status_details"))
        {
            return (type, code, message);
        }

        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("type"u8))
            {
                type = JsonRead.String(ref reader, "type", path);
            }
            else if (reader.ValueTextEquals("code"u8))
            {
                code = JsonRead.String(ref reader, "code", path);
            }
            else if (reader.ValueTextEquals("message"u8))
            {
                message = JsonRead.String(ref reader, "message", path);
            }
            else
            {
                JsonRead.Skip(ref reader);
            }
        }

        return (type, code, message);
    }

    /// <summary>The mean <c>logprob</c> of a <c>logprobs</c> array (<c>[{token, logprob, bytes}]</c>); null when empty or null.</summary>
    private static double? ReadMeanLogprob(ref Utf8JsonReader reader)
    {
        const string path = "logprobs[]";
        if (!JsonRead.ArrayOrNull(ref reader, "logprobs"))
        {
            return null;
        }

        var (sum, count) = (0.0, 0);
        while (JsonRead.NextElement(ref reader))
        {
            JsonRead.ExpectObject(ref reader, path);
            while (JsonRead.NextProperty(ref reader))
            {
                if (reader.ValueTextEquals("logprob"u8))
                {
                    sum += JsonRead.Double(ref reader, "logprob", path);
                    count++;
                }
                else
                {
                    JsonRead.Skip(ref reader);
                }
            }
        }

        return count == 0 ? null : sum / count;
    }

    private static List<RealtimeRateLimit> ReadRateLimits(ref Utf8JsonReader reader)
    {
        const string path = "rate_limits[]";
        var limits = new List<RealtimeRateLimit>();
        if (!JsonRead.ArrayOrNull(ref reader, "rate_limits"))
        {
            return limits;
        }

        while (JsonRead.NextElement(ref reader))
        {
            JsonRead.ExpectObject(ref reader, path);
            string? name = null;
            int limit = 0, remaining = 0;
            double resetSeconds = 0;
            while (JsonRead.NextProperty(ref reader))
            {
                if (reader.ValueTextEquals("name"u8))
                {
                    name = JsonRead.RequiredString(ref reader, "name", path);
                }
                else if (reader.ValueTextEquals("limit"u8))
                {
                    limit = JsonRead.Int32(ref reader, "limit", path);
                }
                else if (reader.ValueTextEquals("remaining"u8))
                {
                    remaining = JsonRead.Int32(ref reader, "remaining", path);
                }
                else if (reader.ValueTextEquals("reset_seconds"u8))
                {
                    resetSeconds = JsonRead.Double(ref reader, "reset_seconds", path);
                }
                else
                {
                    JsonRead.Skip(ref reader);
                }
            }

            limits.Add(new RealtimeRateLimit(name ?? throw JsonRead.Missing("name", path), limit, remaining, resetSeconds));
        }

        return limits;
    }
}
