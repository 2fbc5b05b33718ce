using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Legs.WebRtc;

namespace VoiceBridge.Tests.Legs.WebRtc;

/// <summary>The lite agent's answers, nominations, rejections and consent, in virtual time.</summary>
public sealed class IceLiteAgentTests
{
    internal const string LocalUfrag = "h7Ft9wQz";
    internal const string LocalPassword = "Zq3+vB8/xRk2LmN5pT7wYc1d";
    internal const string RemoteUfrag = "EuwZ";
    internal const string RemotePassword = "DRC6U7zlZn0LO5U/qjU2PrQu";

    private static readonly IPEndPoint Browser = new(IPAddress.Parse("192.0.2.2"), 37043);
    private static readonly IPEndPoint OtherBrowserAddress = new(IPAddress.Parse("127.0.0.1"), 44903);

    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-25T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly IceLiteAgent _agent;
    private readonly byte[] _response = new byte[IceLiteAgent.MinResponseBuffer];
    private readonly List<IPEndPoint> _nominated = [];
    private int _nextId;

    public IceLiteAgentTests()
    {
        _agent = new IceLiteAgent(LocalUfrag, LocalPassword, RemoteUfrag, RemotePassword, _time);
        _agent.Nominated += _nominated.Add;
    }

    [Fact]
    public void Valid_check_is_answered_with_the_mapped_address_integrity_and_fingerprint()
    {
        byte[] request = Check(useCandidate: false);

        StunMessage response = Answer(request, Browser);

        Assert.Equal(StunClass.SuccessResponse, response.Class);
        Assert.Equal(request.AsSpan(8, 12).ToArray(), response.TransactionId.ToArray());
        Assert.Equal(Browser, response.XorMappedAddress);
        Assert.True(response.FingerprintValid);
        Assert.True(StunParser.VerifyIntegrity(_response.AsSpan(0, response.Length), response, Encoding.ASCII.GetBytes(LocalPassword)));
        Assert.Null(_agent.Selected);
        Assert.Empty(_nominated);
        Assert.Equal(1, _agent.Counters.Answered);
        Assert.Equal(1, _agent.Counters.Requests);
    }

    [Fact]
    public void Use_candidate_nominates_the_sender_once()
    {
        Answer(Check(useCandidate: true), Browser);
        Answer(Check(useCandidate: true), Browser);
        Answer(Check(useCandidate: false), Browser);

        Assert.Equal(Browser, _agent.Selected);
        Assert.Equal([Browser], _nominated);
        Assert.Equal(1, _agent.Counters.Nominations);
        Assert.Equal(3, _agent.Counters.Answered);
    }

    [Fact]
    public void A_later_nomination_of_another_address_moves_the_selected_pair()
    {
        Answer(Check(useCandidate: true), Browser);
        Answer(Check(useCandidate: false), OtherBrowserAddress);
        Assert.Equal(Browser, _agent.Selected);

        Answer(Check(useCandidate: true), OtherBrowserAddress);

        Assert.Equal(OtherBrowserAddress, _agent.Selected);
        Assert.Equal([Browser, OtherBrowserAddress], _nominated);
    }

    [Theory]
    [InlineData(RemoteUfrag + ":" + LocalUfrag)]
    [InlineData(LocalUfrag + ":other")]
    [InlineData(LocalUfrag)]
    [InlineData("")]
    public void Wrong_username_gets_401_without_integrity(string username)
    {
        StunMessage response = Answer(Check(useCandidate: true, username: username), Browser);

        AssertError(response, 401, integrity: false);
        Assert.Equal(1, _agent.Counters.WrongUsername);
        Assert.Null(_agent.Selected);
        Assert.Empty(_nominated);
    }

    [Fact]
    public void Bad_integrity_gets_401_and_nominates_nothing()
    {
        StunMessage response = Answer(Check(useCandidate: true, key: Encoding.ASCII.GetBytes(RemotePassword)), Browser);

        AssertError(response, 401, integrity: false);
        Assert.Equal(1, _agent.Counters.BadIntegrity);
        Assert.Null(_agent.Selected);
    }

    [Fact]
    public void A_byte_changed_under_the_integrity_gets_401_even_with_a_recomputed_fingerprint()
    {
        byte[] request = Check(useCandidate: true);
        request[^33] ^= 0x01; // PRIORITY's last byte, just before MESSAGE-INTEGRITY

        AssertError(Answer(RefreshFingerprint(request), Browser), 401, integrity: false);
        Assert.Equal(1, _agent.Counters.BadIntegrity);
        Assert.Null(_agent.Selected);
    }

    [Fact]
    public void Missing_fingerprint_is_dropped_and_counted()
    {
        byte[] request = Check(useCandidate: true);
        byte[] noFingerprint = request[..^8];
        noFingerprint[3] -= 8;

        Assert.Equal(0, _agent.Handle(noFingerprint, Browser, _response));
        Assert.Equal(1, _agent.Counters.BadFingerprint);
        Assert.Null(_agent.Selected);
    }

    [Fact]
    public void Wrong_fingerprint_is_dropped_and_counted()
    {
        byte[] request = Check(useCandidate: true);
        request[^1] ^= 0xFF;

        Assert.Equal(0, _agent.Handle(request, Browser, _response));
        Assert.Equal(1, _agent.Counters.BadFingerprint);
    }

    [Fact]
    public void Missing_integrity_or_username_gets_400()
    {
        var buffer = new byte[200];
        var builder = new StunBuilder(buffer, Stun.MessageType(Stun.BindingMethod, StunClass.Request), NextId());
        builder.AddText(Stun.Username, $"{LocalUfrag}:{RemoteUfrag}");
        builder.AddFingerprint();
        AssertError(Answer(buffer[..builder.Length], Browser), 400, integrity: false);

        builder = new StunBuilder(buffer, Stun.MessageType(Stun.BindingMethod, StunClass.Request), NextId());
        builder.AddUInt32(Stun.Priority, 1);
        builder.AddMessageIntegrity(Encoding.ASCII.GetBytes(LocalPassword));
        builder.AddFingerprint();
        AssertError(Answer(buffer[..builder.Length], Browser), 400, integrity: false);

        Assert.Equal(2, _agent.Counters.MissingCredentials);
        Assert.Equal(2, _agent.Counters.ErrorResponses);
    }

    [Fact]
    public void Unknown_comprehension_required_attribute_gets_420_listing_it()
    {
        byte[] request = Build((ref StunBuilder b) => b.Add(0x0042, [1, 2, 3, 4]), useCandidate: true);

        StunMessage response = Answer(request, Browser);

        AssertError(response, 420, integrity: true);
        Assert.Equal(1, _agent.Counters.UnknownAttributes);
        Assert.Null(_agent.Selected);
    }

    [Fact]
    public void A_peer_claiming_the_controlled_role_gets_487()
    {
        var buffer = new byte[200];
        var builder = new StunBuilder(buffer, Stun.MessageType(Stun.BindingMethod, StunClass.Request), NextId());
        builder.AddText(Stun.Username, $"{LocalUfrag}:{RemoteUfrag}");
        builder.AddUInt64(Stun.IceControlled, 42);
        builder.AddUInt32(Stun.Priority, 1);
        builder.AddMessageIntegrity(Encoding.ASCII.GetBytes(LocalPassword));
        builder.AddFingerprint();

        AssertError(Answer(buffer[..builder.Length], Browser), 487, integrity: true);
        Assert.Equal(1, _agent.Counters.RoleConflicts);
    }

    [Fact]
    public void Indications_responses_and_other_methods_get_no_answer()
    {
        var buffer = new byte[200];
        var indication = new StunBuilder(buffer, Stun.MessageType(Stun.BindingMethod, StunClass.Indication), NextId());
        indication.AddFingerprint();
        Assert.Equal(0, _agent.Handle(buffer.AsSpan(0, indication.Length), Browser, _response));

        Assert.Equal(0, _agent.Handle(StunTestVectors.SampleIPv4Response, Browser, _response));

        var googPing = new StunBuilder(buffer, Stun.MessageType(0x080, StunClass.Request), NextId());
        googPing.AddMessageIntegrity(Encoding.ASCII.GetBytes(LocalPassword));
        googPing.AddFingerprint();
        Assert.Equal(0, _agent.Handle(buffer.AsSpan(0, googPing.Length), Browser, _response));

        Assert.Equal(1, _agent.Counters.Indications);
        Assert.Equal(1, _agent.Counters.StrayResponses);
        Assert.Equal(1, _agent.Counters.UnsupportedMethod);
        Assert.Equal(0, _agent.Counters.ErrorResponses);
    }

    [Fact]
    public void Malformed_datagrams_are_dropped_and_counted()
    {
        Assert.Equal(0, _agent.Handle([], Browser, _response));
        Assert.Equal(0, _agent.Handle([0x00, 0x01], Browser, _response));
        Assert.Equal(0, _agent.Handle(new byte[4000], Browser, _response));
        Assert.Equal(0, _agent.Handle(Check(useCandidate: true)[..^4], Browser, _response));

        Assert.Equal(4, _agent.Counters.Malformed);
        Assert.Equal(4, _agent.Counters.Received);
        Assert.Null(_agent.Selected);
    }

    [Fact]
    public void Consent_expires_30_seconds_after_the_last_check_from_the_selected_address()
    {
        Assert.False(_agent.ConsentExpired);
        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.False(_agent.ConsentExpired); // nothing selected yet: a set-up timeout is the owner's

        Answer(Check(useCandidate: true), Browser);
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(_agent.ConsentExpired);

        Answer(Check(useCandidate: false), Browser);
        _time.Advance(TimeSpan.FromSeconds(29));
        Answer(Check(useCandidate: false), OtherBrowserAddress); // not the selected pair: no consent for it
        Answer(Check(useCandidate: false, key: "wrong-password-wrong-password"u8.ToArray()), Browser); // not valid: no consent
        Assert.False(_agent.ConsentExpired);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(_agent.ConsentExpired);
        Assert.Equal(TimeSpan.FromSeconds(1), _agent.SinceLastValidCheck);

        Answer(Check(useCandidate: false), Browser);
        Assert.False(_agent.ConsentExpired);
    }

    [Fact]
    public void Consent_timeout_is_an_option()
    {
        var agent = new IceLiteAgent(LocalUfrag, LocalPassword, RemoteUfrag, RemotePassword, _time, new IceLiteOptions { ConsentTimeout = TimeSpan.FromSeconds(5) });
        Assert.True(agent.Handle(Check(useCandidate: true), Browser, _response) > 0);

        _time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.False(agent.ConsentExpired);
        _time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.True(agent.ConsentExpired);

        Assert.Throws<ArgumentException>(() => new IceLiteOptions { ConsentTimeout = TimeSpan.Zero }.Validate());
    }

    [Fact]
    public void New_credentials_are_ice_chars_long_enough_and_fresh()
    {
        (string ufrag, string password) = IceLiteAgent.NewCredentials();
        (string ufrag2, string password2) = IceLiteAgent.NewCredentials();

        Assert.True(ufrag.Length >= 4);
        Assert.True(password.Length >= 22);
        Assert.True(IceLiteAgent.IsValidUfrag(ufrag));
        Assert.True(IceLiteAgent.IsValidPassword(password));
        Assert.NotEqual(ufrag + password, ufrag2 + password2);
        Assert.All(ufrag + password, c => Assert.True(char.IsAsciiLetterOrDigit(c) || c is '+' or '/'));
    }

    [Theory]
    [InlineData("abc", LocalPassword)]
    [InlineData("ab:c", LocalPassword)]
    [InlineData(LocalUfrag, "tooShort+tooShort+123")]
    [InlineData(LocalUfrag, "Zq3+vB8/xRk2LmN5pT7wYc1d ")]
    public void Constructor_refuses_invalid_credentials(string ufrag, string password)
    {
        Assert.Throws<ArgumentException>(() => new IceLiteAgent(ufrag, password, RemoteUfrag, RemotePassword, _time));
        Assert.Throws<ArgumentException>(() => new IceLiteAgent(LocalUfrag, LocalPassword, ufrag, password, _time));
    }

    [Fact]
    public void A_response_buffer_too_small_is_a_caller_error()
    {
        Assert.Throws<ArgumentException>(() => _agent.Handle(Check(useCandidate: false), Browser, new byte[76]));
    }

    [Fact]
    public void A_steady_check_allocates_nothing_after_warm_up()
    {
        byte[] request = Check(useCandidate: true);
        for (int i = 0; i < 10; i++)
        {
            _agent.Handle(request, Browser, _response);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            _agent.Handle(request, Browser, _response);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(110, _agent.Counters.Answered);
    }

    /// <summary>A check as a controlling agent sends it, keyed by our password unless <paramref name="key"/> says otherwise.</summary>
    internal byte[] Check(bool useCandidate, string username = LocalUfrag + ":" + RemoteUfrag, byte[]? key = null)
    {
        var buffer = new byte[300];
        int length = StunWriter.WriteBindingRequest(buffer, NextId(), username, priority: 1853824767, tieBreaker: 0x0102030405060708, useCandidate, key ?? Encoding.ASCII.GetBytes(LocalPassword));
        return buffer[..length];
    }

    private byte[] Build(StunBuilderAction extra, bool useCandidate)
    {
        var buffer = new byte[300];
        var builder = new StunBuilder(buffer, Stun.MessageType(Stun.BindingMethod, StunClass.Request), NextId());
        builder.AddText(Stun.Username, $"{LocalUfrag}:{RemoteUfrag}");
        builder.AddUInt64(Stun.IceControlling, 7);
        if (useCandidate)
        {
            builder.Add(Stun.UseCandidate, []);
        }

        extra(ref builder);
        builder.AddUInt32(Stun.Priority, 1);
        builder.AddMessageIntegrity(Encoding.ASCII.GetBytes(LocalPassword));
        builder.AddFingerprint();
        return buffer[..builder.Length];
    }

    private delegate void StunBuilderAction(ref StunBuilder builder);

    private StunMessage Answer(byte[] request, IPEndPoint from)
    {
        int length = _agent.Handle(request, from, _response);
        Assert.True(length > 0, "the agent sent nothing");
        Assert.Equal(StunParseStatus.Ok, StunParser.TryParse(_response.AsSpan(0, length), out StunMessage? response, out string? error));
        Assert.Null(error);
        Assert.Equal(request.AsSpan(8, 12).ToArray(), response!.TransactionId.ToArray());
        return response;
    }

    private void AssertError(StunMessage response, int code, bool integrity)
    {
        Assert.Equal(StunClass.ErrorResponse, response.Class);
        Assert.Equal(code, response.ErrorCode);
        Assert.True(response.FingerprintValid);
        Assert.Equal(integrity, response.MessageIntegrityOffset >= 0);
        if (integrity)
        {
            Assert.True(StunParser.VerifyIntegrity(_response.AsSpan(0, response.Length), response, Encoding.ASCII.GetBytes(LocalPassword)));
        }

        Assert.Equal(0, _agent.Counters.Answered);
    }

    private byte[] NextId()
    {
        var id = new byte[12];
        BitConverter.TryWriteBytes(id, ++_nextId);
        return id;
    }

    private static byte[] RefreshFingerprint(byte[] message)
    {
        uint crc = StunCrc32.Compute(message.AsSpan(0, message.Length - 8)) ^ Stun.FingerprintXor;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(message.Length - 4), crc);
        return message;
    }
}
