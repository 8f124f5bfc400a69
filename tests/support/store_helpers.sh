# Sourced by the shell tests that run against a local store or the test RGW.
#
# mv_test_store local|s3 DIR NAME: sets `store` to a fresh store URL: file://DIR/store (made), or a
# prefix NAME-<pid>-<random> of the test bucket (the MV_TEST_S3_* environment of
# scripts/test-services must be set; its keys are exported as AWS_*). Exits 1 naming a missing
# variable, 2 for another backend.
mv_test_store() {
  case $1 in
    local) store="file://$2/store"; mkdir -p "$2/store" ;;
    s3)
      local v
      for v in MV_TEST_S3_ENDPOINT MV_TEST_S3_ACCESS_KEY MV_TEST_S3_SECRET_KEY MV_TEST_S3_BUCKET; do
        [ -n "${!v:-}" ] || { echo "FAIL: $v is not set (start scripts/test-services)"; exit 1; }
      done
      export AWS_ACCESS_KEY_ID=$MV_TEST_S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$MV_TEST_S3_SECRET_KEY
      unset AWS_PROFILE AWS_SESSION_TOKEN
      store="s3://$MV_TEST_S3_BUCKET/$3-$$-$RANDOM?endpoint=$MV_TEST_S3_ENDPOINT&region=${MV_TEST_S3_REGION:-us-east-1}"
      ;;
    *) echo "unknown store backend '$1' (local or s3)"; exit 2 ;;
  esac
}
