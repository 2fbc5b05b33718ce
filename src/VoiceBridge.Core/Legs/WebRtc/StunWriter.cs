using System.Net;

namespace VoiceBridge.Legs.WebRtc;

/// <summary>
/// The Binding messages ICE needs (RFC 8489, RFC 8445 section 7): responses for the lite agent,
/// requests for tests and for a client. Each ends with MESSAGE-INTEGRITY (when a key is given)
/// and FINGERPRINT, which ICE requires on every message. Nothing is allocated.
/// </summary>
public static class StunWriter
{
    /// <summary>
    /// Enough for any response written here: header, ERROR-CODE with a reason of up to 128
    /// characters (4 UTF-8 bytes each), UNKNOWN-ATTRIBUTES with up to 8 types, MESSAGE-INTEGRITY
    /// and FINGERPRINT (a success response needs only 76).
    /// </summary>
    public const int MaxBindingResponseLength = Stun.HeaderLength + (4 + 4 + 512) + (4 + (2 * StunMessage.MaxUnknownAttributes)) + 24 + 8;

    /// <summary>
    /// A Binding success response: XOR-MAPPED-ADDRESS = <paramref name="mapped"/> (where the
    /// request came from), then MESSAGE-INTEGRITY under <paramref name="integrityKey"/> (none
    /// when empty) and FINGERPRINT. Returns the length written.
    /// </summary>
    public static int WriteBindingSuccess(Span<byte> dest, ReadOnlySpan<byte> transactionId, IPEndPoint mapped, ReadOnlySpan<byte> integrityKey)
    {
        var builder = new StunBuilder(dest, Stun.MessageType(Stun.BindingMethod, StunClass.SuccessResponse), transactionId);
        builder.AddXorAddress(Stun.XorMappedAddress, mapped);
        return Finish(ref builder, integrityKey);
    }

    /// <summary>
    /// A Binding error response with ERROR-CODE <paramref name="code"/> and <paramref name="reason"/>,
    /// UNKNOWN-ATTRIBUTES when <paramref name="unknownAttributes"/> is not empty (420), then
    /// MESSAGE-INTEGRITY when a key is given (never for 400/401: the request was not authenticated)
    /// and FINGERPRINT.
    /// </summary>
    public static int WriteBindingError(Span<byte> dest, ReadOnlySpan<byte> transactionId, int code, string reason, ReadOnlySpan<byte> integrityKey, ReadOnlySpan<ushort> unknownAttributes = default)
    {
        ArgumentNullException.ThrowIfNull(reason);
        if (reason.Length > 128)
        {
            throw new ArgumentException("a STUN reason phrase has at most 128 characters", nameof(reason));
        }

        var builder = new StunBuilder(dest, Stun.MessageType(Stun.BindingMethod, StunClass.ErrorResponse), transactionId);
        builder.AddErrorCode(code, reason);
        if (!unknownAttributes.IsEmpty)
        {
            builder.AddUnknownAttributes(unknownAttributes);
        }

        return Finish(ref builder, integrityKey);
    }

    /// <summary>
    /// A Binding request as a controlling ICE agent sends it (RFC 8445 section 7.1.1): USERNAME,
    /// ICE-CONTROLLING, USE-CANDIDATE when nominating, PRIORITY, MESSAGE-INTEGRITY under the
    /// peer's password and FINGERPRINT. <paramref name="username"/> is "peerUfrag:ownUfrag".
    /// </summary>
    public static int WriteBindingRequest(Span<byte> dest, ReadOnlySpan<byte> transactionId, string username, uint priority, ulong tieBreaker, bool useCandidate, ReadOnlySpan<byte> integrityKey)
    {
        ArgumentNullException.ThrowIfNull(username);
        var builder = new StunBuilder(dest, Stun.MessageType(Stun.BindingMethod, StunClass.Request), transactionId);
        builder.AddText(Stun.Username, username);
        builder.AddUInt64(Stun.IceControlling, tieBreaker);
        if (useCandidate)
        {
            builder.Add(Stun.UseCandidate, []);
        }

        builder.AddUInt32(Stun.Priority, priority);
        return Finish(ref builder, integrityKey);
    }

    private static int Finish(ref StunBuilder builder, ReadOnlySpan<byte> integrityKey)
    {
        if (!integrityKey.IsEmpty)
        {
            builder.AddMessageIntegrity(integrityKey);
        }

        builder.AddFingerprint();
        return builder.Length;
    }
}
